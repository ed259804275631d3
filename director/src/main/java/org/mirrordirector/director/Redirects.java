package org.mirrordirector.director;

import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The 302 itself, and its counting: each mirror's counters (the metric by kind, the status page's
 * window) are found with one lookup per redirect.
 */
final class Redirects {

  private final DirectorMetrics metrics;
  private final RedirectStats stats;
  private final ConcurrentHashMap<String, RedirectTally> tallies = new ConcurrentHashMap<>();

  Redirects(DirectorMetrics metrics, RedirectStats stats) {
    this.metrics = metrics;
    this.stats = stats;
  }

  /** The chosen mirror's counters, with this redirect's kind counted; null for a fallback. */
  RedirectTally counted(MirrorSelection s, RequestPath path) {
    if (s.chosen() == null) {
      return null;
    }
    String mirror = s.chosen().mirror();
    RedirectTally t = tallies.get(mirror);
    if (t == null) {
      t =
          tallies.computeIfAbsent(
              mirror, m -> new RedirectTally(metrics.redirects(m), stats.window(m)));
    }
    t.metric().count(path.kind());
    return t;
  }

  /**
   * Answers 302 to the selection's Location, never cached.
   *
   * @param tally the chosen mirror's, when the caller has it already
   */
  boolean redirect(MirrorSelection s, Response response, Callback callback, RedirectTally tally) {
    response.setStatus(302);
    response.getHeaders().put(HttpHeader.LOCATION, s.location());
    // Caches must not keep a redirect: the mirror that qualifies now may not in a minute.
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (s.chosen() != null) {
      response.getHeaders().put("X-Mirror", s.chosen().mirror());
    }
    if (tally != null) {
      tally.window().record();
    } else {
      stats.record(s.chosen() != null ? s.chosen().mirror() : "(fallback)");
    }
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
    response.write(true, null, callback);
    return true;
  }
}
