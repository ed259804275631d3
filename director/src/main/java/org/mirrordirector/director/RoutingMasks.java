package org.mirrordirector.director;

import java.util.Map;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.SuiteState;

/**
 * What a pool or by-hash request needs of each mirror, in arrays, per scheme: whether it can take
 * requests at all (enabled, not drained, answering the quick check, has a URL for the scheme,
 * probed), whether it serves only some countries, and the snapshots it serves healthily (OK or
 * LAGGING) as a mask of {@link FileKnowledge#bit} values. A mirror qualifies for a file when that
 * mask meets the mask of the snapshots that list the file: the same rule as {@link MirrorChecks}'
 * {@code holderProblem}, without following a pointer per mirror. Rebuilt when the view or the file
 * knowledge changes.
 */
final class RoutingMasks {
  private static final java.util.concurrent.atomic.AtomicLong IDS =
      new java.util.concurrent.atomic.AtomicLong();

  /** Unique to this table, for the groups remembered against it. */
  final long id = IDS.incrementAndGet();

  final FileKnowledge files;
  final boolean[][] open; // [scheme][mirror]
  final boolean[] restricted;
  final boolean[][] family; // [0 IPv4, 1 IPv6][mirror]: answers over that family
  final long[][] healthy; // [scheme][mirror]

  RoutingMasks(MirrorView[] mirrors, FileKnowledge files) {
    this.files = files;
    int n = mirrors.length;
    open = new boolean[2][n];
    healthy = new long[2][n];
    restricted = new boolean[n];
    family = new boolean[2][n];
    for (int i = 0; i < n; i++) {
      MirrorView m = mirrors[i];
      MirrorConfig c = m.config();
      // Country-only and partial mirrors are checked against each client the long way.
      restricted[i] = !c.countryOnly().isEmpty() || !c.architectures().isEmpty();
      // Most mirrors have no IPv6: the family is one more array test, not the long way.
      family[0][i] = m.state() == null || m.state().serves(false);
      family[1][i] = m.state() == null || m.state().serves(true);
      for (int sc = 0; sc < 2; sc++) {
        String scheme = sc == 0 ? "http" : "https";
        open[sc][i] =
            c.enabled()
                && !c.drained()
                && m.unreachable() == null
                && c.baseUrls().get(scheme) != null
                && m.state() != null;
        if (m.state() == null) {
          continue;
        }
        for (SuiteState s : m.state().schemes().getOrDefault(scheme, Map.of()).values()) {
          if (s.snapshot() != null && MirrorChecks.serves(s.health())) {
            healthy[sc][i] |= files.bit(s.snapshot());
          }
        }
      }
    }
  }

  static int scheme(String scheme) {
    return "https".equals(scheme) ? 1 : "http".equals(scheme) ? 0 : -1;
  }
}
