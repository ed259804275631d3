package org.mirrordirector.ops.demo;

import java.util.List;

/** How the nodes' own syncs keep up with the upstream. */
public enum NodeSpeed {
  /** As fast as the machine copies. */
  FAST,
  /** At 30 KB/s (rsync --bwlimit): the mirrors are ahead of the nodes for a while. */
  SLOW,
  /** The nodes' upstream module stays at the first version: their syncs never catch up. */
  STUCK;

  /** The nodes' extra rsync arguments. */
  public List<String> rsyncArgs() {
    return this == SLOW ? List.of("--bwlimit=30") : List.of();
  }
}
