package org.mirrordirector.director;

/**
 * The result of the walk for one kind of request: the best class of qualifying mirrors, in ranking
 * order, as the candidates the walk made of them (immutable), with their weights. Every input of
 * the walk is in the key: the ranking (its owner), the routing table (the view's probe results and
 * the file knowledge, by {@link RoutingMasks#id}, so that an old one is not kept alive), the
 * snapshots that list the file, the scheme and the client's address family. Only walks that met no
 * restricted mirror are remembered (those are checked against the path itself). Immutable: a
 * ranking's table is racy, and a thread sees a whole group or none.
 */
record MirrorGroup(
    long routing, long holders, int scheme, int family, MirrorCandidate[] members, int[] weights) {
  /** Slots of a ranking's table of groups (a power of two). */
  static final int SLOTS = 16;

  static int slot(long holders, int scheme, int family) {
    long h = (holders * 0x9E3779B97F4A7C15L) >>> 40;
    return (int) (h ^ (scheme << 1) ^ family) & (SLOTS - 1);
  }
}
