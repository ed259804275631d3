package org.mirrordirector.director;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Request;

/**
 * What a selection is told as: the {@code ?explain} answer (every mirror, eligible or not, and
 * why), and the one note per request that the access log writes (the client routed, the mirror
 * chosen and why).
 */
final class Explanation {
  private Explanation() {}

  private static final String[] TIERS = {"asn", "country", "continent", "elsewhere"};

  private static final String[] FALLBACKS = new String[SelectionOutcome.values().length];

  static {
    for (SelectionOutcome o : SelectionOutcome.values()) {
      FALLBACKS[o.ordinal()] = o.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** One attribute per request: the client routed, the mirror chosen and why. */
  static void annotate(Request request, String client, MirrorSelection s, boolean explain) {
    String mirror = null;
    String reason;
    if (explain) {
      reason = "explain";
    } else if (s.outcome() == SelectionOutcome.REDIRECT && s.chosen() != null) {
      mirror = s.chosen().mirror();
      int t = s.chosen().tier();
      reason = t >= 0 && t < TIERS.length ? TIERS[t] : "tier-" + t;
    } else {
      reason = FALLBACKS[s.outcome().ordinal()];
      if (s.outcome() == SelectionOutcome.SERVE_LOCALLY) {
        mirror = "director";
      }
    }
    request.setAttribute(AccessLog.NOTE, new AccessNote(client, mirror, reason));
  }

  /** The {@code ?explain} answer, as JSON fields. */
  static Map<String, Object> explain(MirrorSelection s, ClientLocation client) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", s.path().path());
    m.put("kind", s.path().kind());
    m.put("scheme", s.scheme());
    m.put("client", client);
    m.put("outcome", s.outcome());
    m.put("location", s.location());
    m.put("chosen", s.chosen() == null ? null : s.chosen().mirror());
    m.put("why", s.why());
    List<Map<String, Object>> cs = new java.util.ArrayList<>();
    for (MirrorCandidate c : s.candidates()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("mirror", c.mirror());
      x.put("eligible", c.eligible());
      x.put("reason", c.reason());
      x.put("tier", c.tier());
      x.put("distanceKm", c.distanceKm() == null ? null : Math.round(c.distanceKm()));
      x.put("weight", c.weight());
      cs.add(x);
    }
    m.put("candidates", cs);
    return m;
  }
}
