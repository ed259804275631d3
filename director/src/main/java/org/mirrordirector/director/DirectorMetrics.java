package org.mirrordirector.director;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.mirrordirector.failover.ClusterView;

/**
 * The director's metrics in a Micrometer registry, and {@code /metrics}, the registry's Prometheus
 * text: redirects by mirror and kind of file, fallbacks, held requests, error answers by status,
 * requests by status class with their latency, and selection latency (histograms); the cluster as
 * this node sees it ({@link ClusterMetrics}, read from the view when scraped). The node binds its
 * own meters (syncs, probes, leadership, the JVM, Jetty) to the same registry.
 *
 * <p>On the request path: a counter increment found without building a key, and two timer records;
 * every meter is registered once.
 */
public final class DirectorMetrics extends Handler.Wrapper {
  /** The histogram buckets of the selection and request latencies, in seconds. */
  static final Duration[] BUCKETS = {
    Duration.ofNanos(10_000),
    Duration.ofNanos(25_000),
    Duration.ofNanos(50_000),
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(100),
    Duration.ofSeconds(1)
  };

  private final PrometheusMeterRegistry registry;
  // mirror -> kind -> counter: no key is built per request.
  private final Map<String, MirrorRedirects> redirects = new ConcurrentHashMap<>();
  private final Map<String, Counter> fallbacks = new ConcurrentHashMap<>();
  private final Map<Integer, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, Counter> held = new ConcurrentHashMap<>();
  private final Timer selection;
  private final Timer[] requests = new Timer[6];
  private final ClusterMetrics cluster;

  public DirectorMetrics(
      Supplier<ClusterView> view, BooleanSupplier servingAsLeader, Handler next) {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), view, servingAsLeader, next);
  }

  /** With the node's registry, which also holds its other meters. */
  public DirectorMetrics(
      PrometheusMeterRegistry registry,
      Supplier<ClusterView> view,
      BooleanSupplier servingAsLeader,
      Handler next) {
    super(next);
    this.registry = registry;
    selection =
        Timer.builder("md.selection")
            .description("Time to choose a mirror for one request.")
            .serviceLevelObjectives(BUCKETS)
            .register(registry);
    for (int c = 2; c <= 5; c++) {
      requests[c] =
          Timer.builder("md.http.request.duration")
              .description(
                  "Requests answered, by status class, and the time the director took to answer"
                      + " (until the answer was handed to Jetty to write).")
              .tag("status", c + "xx")
              .serviceLevelObjectives(BUCKETS)
              .register(registry);
    }
    cluster = new ClusterMetrics(registry, view, servingAsLeader);
    // Every outcome present from the start, at 0: a rate over them needs no absent() guard.
    for (SelectionOutcome o : SelectionOutcome.values()) {
      if (o != SelectionOutcome.REDIRECT) {
        fallbackCounter(o);
      }
    }
    for (String o : List.of("redirected", "served", "expired")) {
      held(o, 0);
    }
  }

  /** The registry, for the node's other meters. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** One mirror's redirect counters, to be kept by a caller that counts many. */
  public MirrorRedirects redirects(String mirror) {
    MirrorRedirects r = redirects.get(mirror);
    return r != null ? r : redirects.computeIfAbsent(mirror, m -> new MirrorRedirects(registry, m));
  }

  public void fallback(SelectionOutcome outcome) {
    fallbackCounter(outcome).increment();
  }

  private Counter fallbackCounter(SelectionOutcome outcome) {
    return counter(
        fallbacks,
        outcome.name().toLowerCase(Locale.ROOT),
        "md.fallbacks",
        "Requests no mirror qualified for, by what was done.",
        "outcome");
  }

  /** A request that was held until the director could place it, by how it ended. */
  public void held(String outcome) {
    held(outcome, 1);
  }

  private void held(String outcome, int n) {
    counter(
            held,
            outcome,
            "md.held.requests",
            "Pool requests held while the director learned where the file is, by how they ended.",
            "outcome")
        .increment(n);
  }

  public void error(int status) {
    Counter c = errors.get(status);
    if (c == null) {
      c =
          errors.computeIfAbsent(
              status,
              s ->
                  Counter.builder("md.error.responses")
                      .description("4xx and 5xx answers, by status.")
                      .tag("status", Integer.toString(s))
                      .register(registry));
    }
    c.increment();
  }

  public void selected(long nanos) {
    selection.record(nanos, TimeUnit.NANOSECONDS);
  }

  private Counter counter(
      Map<String, Counter> cache, String value, String name, String help, String tag) {
    Counter c = cache.get(value);
    if (c == null) {
      c =
          cache.computeIfAbsent(
              value, v -> Counter.builder(name).description(help).tag(tag, v).register(registry));
    }
    return c;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if ("/metrics".equals(request.getHttpURI().getPath())) {
      byte[] body = text().getBytes(StandardCharsets.UTF_8);
      response.setStatus(200);
      response
          .getHeaders()
          .put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }
    long t0 = System.nanoTime();
    boolean handled = super.handle(request, response, callback);
    int c = response.getStatus() / 100;
    if (handled && c >= 2 && c <= 5) {
      requests[c].record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    }
    return handled;
  }

  /** The exposition text: the cluster's gauges read from the view now, then every meter. */
  public String text() {
    // One scrape at a time: a refresh replaces the cluster's gauges, which must not happen while
    // another scrape writes them out (two Prometheus servers scraping at once, as HA pairs do).
    synchronized (cluster) {
      cluster.refresh();
      return registry.scrape();
    }
  }
}
