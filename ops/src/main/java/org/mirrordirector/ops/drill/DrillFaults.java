package org.mirrordirector.ops.drill;

import java.io.IOException;

/** How the drill reaches the primary's process and its ZooKeeper link. */
public interface DrillFaults {
  /** Runs a fault action (term, kill, stop, cont, cut, restore, start) on a node. */
  public String act(String node, String action) throws IOException, InterruptedException;
}
