package org.mirrordirector.ops.node;

/** What part a node plays ({@code node.role}). */
public enum NodeKind {
  /** One of the pair that writes the registry: the active node or its hot spare. */
  WRITER,
  /** A director in another region, reading the registry through an observer there. */
  REPLICA
}
