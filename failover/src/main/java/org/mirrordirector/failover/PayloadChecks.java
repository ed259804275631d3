package org.mirrordirector.failover;

/**
 * The rule every registry payload follows: it is checked when built, so one read from ZooKeeper
 * that breaks a rule is reported and skipped by the reader instead of reaching the director.
 */
final class PayloadChecks {
  private PayloadChecks() {}

  /**
   * @throws IllegalArgumentException with {@code message}, which names the payload and the field
   */
  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
