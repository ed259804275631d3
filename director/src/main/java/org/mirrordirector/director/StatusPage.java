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
import org.mirrordirector.failover.Payloads.NodeInfo;
import org.mirrordirector.failover.Payloads.SnapshotRecord;
import org.mirrordirector.failover.Payloads.SuiteSnapshot;
import org.mirrordirector.failover.Payloads.SuiteState;

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

  public StatusPage(
      Supplier<ClusterView> view, RedirectStats stats, LongSupplier clockMillis, Handler next) {
    super(next);
    this.view = view;
    this.stats = stats;
    this.clock = clockMillis;
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
    registry.put("source", v.source().name());
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
      nodes.add(x);
    }
    m.put("nodes", nodes);
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
    for (ClusterView.Mirror mirror : new TreeMap<>(v.mirrors()).values()) {
      Map<String, Object> x = new LinkedHashMap<>();
      String id = mirror.config().id();
      x.put("id", id);
      x.put("enabled", mirror.config().enabled());
      x.put("drained", mirror.config().drained());
      x.put("country", mirror.config().country());
      x.put("urls", new TreeMap<>(mirror.config().baseUrls()));
      x.put("redirects5m", counts.getOrDefault(id, 0L));
      x.put("share5m", shares.getOrDefault(id, 0.0));
      x.put("probedAtMillis", mirror.state() == null ? null : mirror.state().probedAtMillis());
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
    m.put("redirectsPerSecond", stats.perSecond());
    m.put("servedLocally5m", counts.getOrDefault(RedirectStats.LOCAL, 0L));
    return m;
  }

  @SuppressWarnings("unchecked")
  private static String html(Map<String, Object> m) {
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Mirror Director</title>")
        .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:.3em .6em}.OK{background:#cfc}")
        .append(".LAGGING{background:#ffc}.SYNCING{background:#cef}.BROKEN{background:#fcc}")
        .append(".DOWN{background:#ddd}</style></head><body><h1>Mirror Director</h1>");
    Map<String, Object> reg = (Map<String, Object>) m.get("registry");
    h.append("<p>Registry: ")
        .append(esc(String.valueOf(reg.get("source"))))
        .append(Boolean.TRUE.equals(reg.get("connected")) ? ", connected" : ", NOT connected")
        .append(", epoch ")
        .append(esc(String.valueOf(reg.get("epoch"))))
        .append("</p>")
        .append(
            reg.get("note") == null
                ? ""
                : "<p id=\"stale\"><b>" + esc(reg.get("note")) + "</b></p>")
        .append("<h2>Nodes</h2><table id=\"nodes\"><tr><th>node</th><th>role</th>")
        .append("<th>ready</th><th>snapshot</th></tr>");
    for (Map<String, Object> n : (List<Map<String, Object>>) m.get("nodes")) {
      h.append("<tr><td>")
          .append(esc(n.get("id")))
          .append("</td><td>")
          .append(esc(n.get("role")))
          .append("</td><td>")
          .append(esc(n.get("ready")))
          .append("</td><td>")
          .append(esc(n.get("snapshot")))
          .append("</td></tr>");
    }
    h.append("</table><h2>Current snapshot</h2><p id=\"current\">");
    Map<String, Object> cur = (Map<String, Object>) m.get("current");
    h.append(cur == null ? "none recorded" : esc(cur.get("id")));
    h.append("</p><h2>Mirrors</h2><table id=\"mirrors\"><tr><th>mirror</th><th>scheme</th>")
        .append("<th>suite</th><th>health</th><th>at current</th><th>lag</th><th>latency</th>")
        .append("<th>share (5 min)</th><th>reason</th></tr>");
    for (Map<String, Object> x : (List<Map<String, Object>>) m.get("mirrors")) {
      List<Map<String, Object>> states = (List<Map<String, Object>>) x.get("states");
      String share = String.format("%.1f %%", 100 * (Double) x.get("share5m"));
      if (states.isEmpty()) {
        h.append("<tr><td>")
            .append(esc(x.get("id")))
            .append("</td><td colspan=\"6\">not probed yet</td><td>")
            .append(share)
            .append("</td><td></td></tr>");
      }
      for (Map<String, Object> s : states) {
        h.append("<tr class=\"")
            .append(esc(s.get("health")))
            .append("\"><td>")
            .append(esc(x.get("id")))
            .append(Boolean.TRUE.equals(x.get("drained")) ? " (drained)" : "")
            .append("</td><td>")
            .append(esc(s.get("scheme")))
            .append("</td><td>")
            .append(esc(s.get("suite")))
            .append("</td><td>")
            .append(esc(s.get("health")))
            .append("</td><td>")
            .append(Boolean.TRUE.equals(s.get("atCurrent")) ? "yes" : "no")
            .append("</td><td>")
            .append(
                s.get("lagMillis") == null
                    ? ""
                    : ((Number) s.get("lagMillis")).longValue() / 1000 + " s")
            .append("</td><td>")
            .append(s.get("latencyMs") == null ? "" : s.get("latencyMs") + " ms")
            .append("</td><td>")
            .append(share)
            .append("</td><td>")
            .append(esc(s.get("reason")))
            .append("</td></tr>");
      }
    }
    h.append("</table></body></html>\n");
    return h.toString();
  }

  static String esc(Object o) {
    String s = o == null ? "" : o.toString();
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
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
