package org.mirrordirector.director;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/** {@code md_redirects_total} of one mirror, by kind of file: counting costs no lookup. */
public final class MirrorRedirects {
  private final MeterRegistry registry;
  private final String mirror;
  // Registered at the first redirect of a kind. Racy: two threads may both register, and the
  // registry hands both the same counter.
  private final Counter[] byKind = new Counter[PathKind.values().length];

  MirrorRedirects(MeterRegistry registry, String mirror) {
    this.registry = registry;
    this.mirror = mirror;
  }

  public void count(PathKind kind) {
    Counter n = byKind[kind.ordinal()];
    if (n == null) {
      n =
          Counter.builder("md.redirects")
              .description("Redirects sent, by mirror and kind of file.")
              .tag("mirror", mirror)
              .tag("kind", kind.name().toLowerCase(Locale.ROOT))
              .register(registry);
      byKind[kind.ordinal()] = n;
    }
    n.increment();
  }
}
