package org.mirrordirector.ops.demo;

import java.io.IOException;
import java.util.Map;

/** What {@link DemoControl} may do to the demo's node processes and their ZooKeeper links. */
public interface NodeSwitchboard {
  /** The node processes by id. */
  Map<String, Process> nodes();

  /** Whether a node's (or a replica's region's) link to ZooKeeper is cut. */
  boolean isCut(String id);

  /**
   * Acts on a node: start, term, kill, stop, cont, cut or restore; returns what was done.
   *
   * @throws IllegalArgumentException for an unknown action
   */
  String act(String id, String action) throws IOException, InterruptedException;
}
