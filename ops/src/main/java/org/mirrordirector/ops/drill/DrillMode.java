package org.mirrordirector.ops.drill;

import java.util.List;

/** What the drill does to the primary. */
public enum DrillMode {
  /** SIGTERM: the node leaves the leadership, drains, exits; started again. */
  GRACEFUL,
  /** SIGKILL; started again. */
  CRASH,
  /** SIGSTOP for longer than the session timeout, then SIGCONT. */
  PAUSE,
  /** Its ZooKeeper link cut (it still answers clients) for longer than the session timeout. */
  ISOLATE,
  /**
   * Not the primary: a director replica's region cut off from the writers' quorum (its observer's
   * links), under load through that replica ({@link RegionDrill}).
   */
  REGION;

  /** The modes that fail the primary over ({@code --mode all}). */
  public static List<DrillMode> failovers() {
    return List.of(GRACEFUL, CRASH, PAUSE, ISOLATE);
  }
}
