package org.mirrordirector.director;

/**
 * The mirrors of every location class, best first: by tier, then by 1,000 km distance step, then by
 * id. {@code cls} orders the classes; mirrors in one class are equals.
 */
record LocationRanking(int[] order, int[] cls, int[] tier, Double[] km, MirrorGroup[] groups) {
  /** A ranking not kept (one re-sorted for a single address): it remembers no groups. */
  LocationRanking(int[] order, int[] cls, int[] tier, Double[] km) {
    this(order, cls, tier, km, null);
  }

  /**
   * The best class of qualifying mirrors that a pool or by-hash request of these holders found
   * last, for this routing table, scheme and address family; null when none is remembered.
   */
  MirrorGroup group(RoutingMasks routing, long holders, int scheme, int family) {
    if (groups == null) {
      return null;
    }
    MirrorGroup g = groups[MirrorGroup.slot(holders, scheme, family)];
    return g != null
            && g.routing() == routing.id
            && g.holders() == holders
            && g.scheme() == scheme
            && g.family() == family
        ? g
        : null;
  }

  void remember(MirrorGroup g) {
    if (groups != null) {
      groups[MirrorGroup.slot(g.holders(), g.scheme(), g.family())] = g;
    }
  }
}
