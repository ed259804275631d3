package org.mirrordirector.ops.node;

import java.nio.file.Path;

/**
 * Who this node is and where it keeps its files.
 *
 * @param region a replica's region, null for the writer pair
 */
public record NodeSection(String id, Path data, String address, NodeKind kind, String region) {
  /** A director replica: reads the registry, copies the indexes alone, never leads. */
  public boolean replica() {
    return kind == NodeKind.REPLICA;
  }
}
