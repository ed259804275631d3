package org.mirrordirector.failover;

/**
 * The data of the epoch znode; the epoch itself is the znode's version.
 *
 * @param term a random id of the promotion, to recognise one's own increment after a lost reply
 */
public record EpochRecord(String leader, long sinceMillis, String term) {
  public EpochRecord {
    if (leader != null) {
      RegistryPaths.requireId("node", leader);
    }
  }
}
