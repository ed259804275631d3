package org.mirrordirector.director;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.DrillRecord;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.NodeInfo;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.SnapshotRecord;
import org.mirrordirector.failover.SuiteSnapshot;
import org.mirrordirector.failover.SuiteState;

/**
 * {@code /status.json} and {@code /status}: the nodes (who is active, who is the hot spare), the
 * registry connection, the current snapshot, and every mirror with its state, snapshot, lag, last
 * probe, latency and share of the redirects in the last five minutes. Everything else goes to the
 * next handler.
 */
public final class StatusPage extends Handler.Wrapper {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Supplier<ClusterView> view;
  private final RedirectStats stats;
  private final LongSupplier clock;
  private final Supplier<Map<String, Object>> self;
  // Replicas this node has seen, and when last: a replica cut off from ZooKeeper loses its
  // ephemeral znode, and the page still names it (not connected) rather than forget it.
  private final Map<String, Seen> replicas = new java.util.concurrent.ConcurrentHashMap<>();

  private record Seen(NodeInfo info, long atMillis) {}

  public StatusPage(
      Supplier<ClusterView> view, RedirectStats stats, LongSupplier clockMillis, Handler next) {
    this(view, stats, clockMillis, null, next);
  }

  /**
   * @param self what the serving node says of itself (its last sync), or null
   */
  public StatusPage(
      Supplier<ClusterView> view,
      RedirectStats stats,
      LongSupplier clockMillis,
      Supplier<Map<String, Object>> self,
      Handler next) {
    super(next);
    this.view = view;
    this.stats = stats;
    this.clock = clockMillis;
    this.self = self;
  }

  /** Remembers the replicas of this view (see {@link DirectorServer#notice}). */
  public void notice(ClusterView v) {
    long now = clock.getAsLong();
    for (NodeInfo n : v.nodes().values()) {
      if (n.role() == Role.REPLICA) {
        replicas.put(n.id(), new Seen(n, now));
      }
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    if ("/status.json".equals(path)) {
      return write(response, callback, "application/json", JSON.writeValueAsBytes(model()));
    }
    if ("/status".equals(path)) {
      return write(
          response,
          callback,
          "text/html; charset=utf-8",
          html(model()).getBytes(StandardCharsets.UTF_8));
    }
    return super.handle(request, response, callback);
  }

  /** The status as plain data: the JSON document, and what the HTML shows. */
  public Map<String, Object> model() {
    ClusterView v = view.get();
    long now = clock.getAsLong();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("generatedAtMillis", now);
    Map<String, Object> registry = new LinkedHashMap<>();
    // LIVE only while connected: after the connection is lost, the view is the last known good.
    registry.put("source", v.servingFrom().name());
    registry.put("connected", v.connected());
    registry.put("epoch", v.epoch());
    registry.put("leader", v.leader());
    registry.put("viewAgeMillis", v.builtAtMillis() == 0 ? null : now - v.builtAtMillis());
    registry.put("problems", v.problems());
    registry.put(
        "note",
        v.connected() ? null : "ZooKeeper is not reachable: serving from the last-known-good view");
    m.put("registry", registry);
    List<Map<String, Object>> nodes = new ArrayList<>();
    for (NodeInfo n : new TreeMap<>(v.nodes()).values()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("id", n.id());
      x.put("role", n.role().name());
      x.put("ready", n.ready());
      x.put("epoch", n.epoch());
      x.put("snapshot", n.snapshot());
      x.put("address", n.address());
      x.put("heartbeatAgeMillis", now - n.heartbeatMillis());
      x.put("region", n.region());
      nodes.add(x);
    }
    notice(v);
    m.put("nodes", nodes);
    List<Map<String, Object>> gone = new ArrayList<>();
    for (Seen r : new TreeMap<>(replicas).values()) {
      if (!v.nodes().containsKey(r.info().id())) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("id", r.info().id());
        x.put("region", r.info().region());
        x.put("address", r.info().address());
        x.put("snapshot", r.info().snapshot());
        x.put("goneForMillis", now - r.atMillis());
        gone.add(x);
      }
    }
    // Replicas seen by this node since it started that are not connected now (cut off, stopped).
    m.put("replicasNotConnected", gone);
    Map<String, String> currentBySuite = new TreeMap<>();
    if (v.current() != null) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("id", v.current().snapshot());
      c.put("publishedAtMillis", v.current().publishedAtMillis());
      c.put("epoch", v.current().epoch());
      SnapshotRecord r = v.snapshots().get(v.current().snapshot());
      if (r != null) {
        Map<String, Object> suites = new TreeMap<>();
        for (Map.Entry<String, SuiteSnapshot> e : r.suites().entrySet()) {
          currentBySuite.put(e.getKey(), e.getValue().inReleaseSha256());
          suites.put(
              e.getKey(),
              Map.of(
                  "inRelease", e.getValue().inReleaseSha256(),
                  "dateMillis", e.getValue().dateMillis()));
        }
        c.put("suites", suites);
      }
      m.put("current", c);
    } else {
      m.put("current", null);
    }
    Map<String, Double> shares = stats.shares();
    Map<String, Long> counts = stats.counts();
    List<Map<String, Object>> mirrors = new ArrayList<>();
    for (MirrorView mirror : new TreeMap<>(v.mirrors()).values()) {
      Map<String, Object> x = new LinkedHashMap<>();
      String id = mirror.config().id();
      x.put("id", id);
      x.put("enabled", mirror.config().enabled());
      x.put("drained", mirror.config().drained());
      // Out of routing at once when the quick check finds it not answering; DOWN comes later.
      x.put(
          "unreachable",
          mirror.unreachable() == null
              ? null
              : Map.of(
                  "sinceMillis",
                  mirror.unreachable().sinceMillis(),
                  "reason",
                  mirror.unreachable().reason(),
                  "text",
                  MirrorChecks.unreachable(mirror.unreachable(), now)));
      x.put("country", mirror.config().country());
      x.put("urls", new TreeMap<>(mirror.config().baseUrls()));
      x.put("redirects5m", counts.getOrDefault(id, 0L));
      x.put("share5m", shares.getOrDefault(id, 0.0));
      x.put("probedAtMillis", mirror.state() == null ? null : mirror.state().probedAtMillis());
      Map<String, Object> fams = new TreeMap<>();
      if (mirror.state() != null) {
        mirror
            .state()
            .families()
            .forEach(
                (f, st) ->
                    fams.put(
                        f,
                        Map.of(
                            "works",
                            st.works(),
                            "checkable",
                            !st.notCheckable(),
                            "detail",
                            st.detail())));
      }
      x.put("families", fams);
      List<Map<String, Object>> states = new ArrayList<>();
      if (mirror.state() != null) {
        for (Map.Entry<String, Map<String, SuiteState>> sc : mirror.state().schemes().entrySet()) {
          for (Map.Entry<String, SuiteState> su : new TreeMap<>(sc.getValue()).entrySet()) {
            SuiteState s = su.getValue();
            Map<String, Object> y = new LinkedHashMap<>();
            y.put("scheme", sc.getKey());
            y.put("suite", su.getKey());
            y.put("health", s.health().name());
            y.put("snapshot", s.snapshot());
            y.put(
                "atCurrent",
                s.snapshot() != null && s.snapshot().equals(currentBySuite.get(su.getKey())));
            y.put("lagMillis", s.lagMillis());
            y.put("latencyMs", s.latencyMs());
            y.put("lastSuccessMillis", s.lastSuccessMillis());
            y.put("reason", s.reason());
            states.add(y);
          }
        }
      }
      x.put("states", states);
      mirrors.add(x);
    }
    m.put("mirrors", mirrors);
    List<Map<String, Object>> drills = new ArrayList<>();
    v.drills().stream()
        .sorted(java.util.Comparator.comparingLong(DrillRecord::startedAtMillis).reversed())
        .limit(10)
        .forEach(
            d -> {
              Map<String, Object> x = new LinkedHashMap<>();
              x.put("id", d.id());
              x.put("mode", d.mode());
              x.put("passed", d.passed());
              x.put("startedAtMillis", d.startedAtMillis());
              x.put("finishedAtMillis", d.finishedAtMillis());
              x.put("figures", new TreeMap<>(d.figures()));
              x.put("summary", d.summary());
              drills.add(x);
            });
    m.put("drills", drills);
    m.put("thisNode", self == null ? null : self.get());
    m.put("redirectsPerSecond", stats.perSecond());
    m.put("servedLocally5m", counts.getOrDefault(RedirectStats.LOCAL, 0L));
    return m;
  }

  private static String html(Map<String, Object> m) {
    return StatusHtml.html(m);
  }

  static String esc(Object o) {
    return StatusHtml.esc(o);
  }

  private static boolean write(Response response, Callback callback, String type, byte[] body) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }
}
