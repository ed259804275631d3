package org.mirrordirector.director;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Payloads.Health;
import org.mirrordirector.failover.Payloads.SuiteState;

/**
 * The director's metrics, and {@code /metrics} in the Prometheus text format (version 0.0.4):
 * redirects by mirror and kind of file, fallbacks, error answers by status, selection latency (a
 * histogram), and, read from the cluster view when scraped, each mirror's health and lag, the
 * ZooKeeper connection, the view's source, the epoch and whether this node serves as leader.
 * Counting costs a {@link LongAdder} increment on the request path.
 */
public final class DirectorMetrics extends Handler.Wrapper {
  private static final double[] BUCKETS = {
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.1
  };

  // mirror -> kind -> count: no key is built per request.
  private final Map<String, Map<RequestPath.Kind, LongAdder>> redirects = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> fallbacks = new ConcurrentHashMap<>();
  private final Map<Integer, LongAdder> errors = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> held = new ConcurrentHashMap<>();
  private final LongAdder[] selectionBuckets = new LongAdder[BUCKETS.length];
  private final LongAdder selectionCount = new LongAdder();
  private final LongAdder selectionNanos = new LongAdder();
  private final Supplier<ClusterView> view;
  private final BooleanSupplier servingAsLeader;

  public DirectorMetrics(
      Supplier<ClusterView> view, BooleanSupplier servingAsLeader, Handler next) {
    super(next);
    this.view = view;
    this.servingAsLeader = servingAsLeader;
    for (int i = 0; i < BUCKETS.length; i++) {
      selectionBuckets[i] = new LongAdder();
    }
  }

  public void redirect(String mirror, RequestPath.Kind kind) {
    Map<RequestPath.Kind, LongAdder> byKind = redirects.get(mirror);
    if (byKind == null) {
      byKind = redirects.computeIfAbsent(mirror, m -> new ConcurrentHashMap<>());
    }
    LongAdder n = byKind.get(kind);
    if (n == null) {
      n = byKind.computeIfAbsent(kind, k -> new LongAdder());
    }
    n.increment();
  }

  public void fallback(MirrorSelector.Outcome outcome) {
    fallbacks
        .computeIfAbsent(outcome.name().toLowerCase(java.util.Locale.ROOT), k -> new LongAdder())
        .increment();
  }

  /** A request that was held until the director could place it, by how it ended. */
  public void held(String outcome) {
    held.computeIfAbsent(outcome, k -> new LongAdder()).increment();
  }

  public void error(int status) {
    errors.computeIfAbsent(status, k -> new LongAdder()).increment();
  }

  public void selected(long nanos) {
    selectionCount.increment();
    selectionNanos.add(nanos);
    double s = nanos / 1e9;
    // One counter per request: the bucket it falls in. The cumulative counts are summed when read.
    for (int i = 0; i < BUCKETS.length; i++) {
      if (s <= BUCKETS[i]) {
        selectionBuckets[i].increment();
        return;
      }
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (!"/metrics".equals(request.getHttpURI().getPath())) {
      return super.handle(request, response, callback);
    }
    byte[] body = text().getBytes(StandardCharsets.UTF_8);
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  /** The exposition text. */
  public String text() {
    StringBuilder b = new StringBuilder(4096);
    head(b, "md_redirects_total", "counter", "Redirects sent, by mirror and kind of file.");
    for (Map.Entry<String, Map<RequestPath.Kind, LongAdder>> m :
        new TreeMap<>(redirects).entrySet()) {
      for (Map.Entry<RequestPath.Kind, LongAdder> e : new TreeMap<>(m.getValue()).entrySet()) {
        b.append("md_redirects_total{mirror=\"")
            .append(label(m.getKey()))
            .append("\",kind=\"")
            .append(e.getKey().name().toLowerCase(java.util.Locale.ROOT))
            .append("\"} ")
            .append(e.getValue().sum())
            .append('\n');
      }
    }
    head(b, "md_fallbacks_total", "counter", "Requests no mirror qualified for, by what was done.");
    for (Map.Entry<String, LongAdder> e : new TreeMap<>(fallbacks).entrySet()) {
      b.append("md_fallbacks_total{outcome=\"")
          .append(e.getKey())
          .append("\"} ")
          .append(e.getValue().sum())
          .append('\n');
    }
    head(
        b,
        "md_held_requests_total",
        "counter",
        "Pool requests held while the director learned where the file is, by how they ended.");
    for (Map.Entry<String, LongAdder> e : new TreeMap<>(held).entrySet()) {
      b.append("md_held_requests_total{outcome=\"")
          .append(e.getKey())
          .append("\"} ")
          .append(e.getValue().sum())
          .append('\n');
    }
    head(b, "md_error_responses_total", "counter", "4xx and 5xx answers, by status.");
    for (Map.Entry<Integer, LongAdder> e : new TreeMap<>(errors).entrySet()) {
      b.append("md_error_responses_total{status=\"")
          .append(e.getKey())
          .append("\"} ")
          .append(e.getValue().sum())
          .append('\n');
    }
    head(b, "md_selection_seconds", "histogram", "Time to choose a mirror for one request.");
    long cumulative = 0;
    for (int i = 0; i < BUCKETS.length; i++) {
      cumulative += selectionBuckets[i].sum();
      b.append("md_selection_seconds_bucket{le=\"")
          .append(BUCKETS[i])
          .append("\"} ")
          .append(cumulative)
          .append('\n');
    }
    b.append("md_selection_seconds_bucket{le=\"+Inf\"} ").append(selectionCount.sum()).append('\n');
    b.append("md_selection_seconds_sum ").append(selectionNanos.sum() / 1e9).append('\n');
    b.append("md_selection_seconds_count ").append(selectionCount.sum()).append('\n');

    ClusterView v = view.get();
    head(b, "md_mirror_health", "gauge", "1 for the mirror's current health per scheme and suite.");
    StringBuilder lag = new StringBuilder();
    for (ClusterView.Mirror m : new TreeMap<>(v.mirrors()).values()) {
      if (m.state() == null) {
        continue;
      }
      for (Map.Entry<String, Map<String, SuiteState>> sc :
          new TreeMap<>(m.state().schemes()).entrySet()) {
        for (Map.Entry<String, SuiteState> su : new TreeMap<>(sc.getValue()).entrySet()) {
          String labels =
              "mirror=\""
                  + label(m.config().id())
                  + "\",scheme=\""
                  + sc.getKey()
                  + "\",suite=\""
                  + label(su.getKey())
                  + "\"";
          for (Health h : Health.values()) {
            b.append("md_mirror_health{")
                .append(labels)
                .append(",health=\"")
                .append(h.name().toLowerCase(java.util.Locale.ROOT))
                .append("\"} ")
                .append(su.getValue().health() == h ? 1 : 0)
                .append('\n');
          }
          if (su.getValue().lagMillis() != null) {
            lag.append("md_mirror_lag_seconds{")
                .append(labels)
                .append("} ")
                .append(su.getValue().lagMillis() / 1000.0)
                .append('\n');
          }
        }
      }
    }
    head(
        b,
        "md_mirror_lag_seconds",
        "gauge",
        "How long a lagging mirror's snapshot has been superseded.");
    b.append(lag);
    head(b, "md_zookeeper_connected", "gauge", "1 while the registry view is live.");
    b.append("md_zookeeper_connected ").append(v.connected() ? 1 : 0).append('\n');
    head(b, "md_view_last_known_good", "gauge", "1 while serving from the last-known-good view.");
    b.append("md_view_last_known_good ")
        .append(v.source() == ClusterView.Source.LAST_KNOWN_GOOD ? 1 : 0)
        .append('\n');
    head(b, "md_epoch", "gauge", "The fencing epoch in the view.");
    b.append("md_epoch ").append(v.epoch()).append('\n');
    head(b, "md_serving_as_leader", "gauge", "1 while this node serves as the leader.");
    b.append("md_serving_as_leader ").append(servingAsLeader.getAsBoolean() ? 1 : 0).append('\n');
    return b.toString();
  }

  private static void head(StringBuilder b, String name, String type, String help) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  /** A label value escaped as the text format requires. */
  static String label(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
