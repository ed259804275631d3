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
import org.mirrordirector.failover.Payloads.DrillRecord;
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
  private final Supplier<Map<String, Object>> self;

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
      Map<String, Object> fams = new TreeMap<>();
      if (mirror.state() != null) {
        mirror
            .state()
            .families()
            .forEach((f, st) -> fams.put(f, Map.of("works", st.works(), "detail", st.detail())));
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

  private static final String STYLE =
      "body{font-family:system-ui,sans-serif;margin:1.5em 2em;color:#222;background:#fafafa}"
          + "h1{margin:.2em 0}h2{margin:1.2em 0 .4em;font-size:1.15em}"
          + "table{border-collapse:collapse;background:#fff}"
          + "td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left;font-size:.92em}"
          + "th{background:#eee}.OK{background:#d9f2d9}.LAGGING{background:#fff3c4}"
          + ".AHEAD{background:#c8f0e6}.SYNCING{background:#d6ebff}.BROKEN{background:#ffd6d6}.DOWN{background:#e0e0e0}"
          + ".cards{display:flex;gap:1em;flex-wrap:wrap}.card{background:#fff;border:1px solid"
          + " #ddd;border-radius:6px;padding:.6em 1em;min-width:12em}.card b{display:block;"
          + "font-size:1.3em}.bad{color:#b00020}.good{color:#1b5e20}.charts{display:flex;gap:2em;"
          + "flex-wrap:wrap}svg{background:#fff;border:1px solid #ddd}"
          + "#stale{background:#ffd6d6;padding:.5em}";

  @SuppressWarnings("unchecked")
  private static String html(Map<String, Object> m) {
    long now = (Long) m.get("generatedAtMillis");
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"refresh\" content=\"10\">")
        .append("<title>Mirror Director</title><style>")
        .append(STYLE)
        .append("</style></head><body><h1>Mirror Director</h1>");
    Map<String, Object> reg = (Map<String, Object>) m.get("registry");
    List<Map<String, Object>> nodes = (List<Map<String, Object>>) m.get("nodes");
    Map<String, Object> cur = (Map<String, Object>) m.get("current");
    String primary = null;
    String spare = null;
    boolean spareReady = false;
    for (Map<String, Object> n : nodes) {
      if ("ACTIVE".equals(n.get("role"))) {
        primary = (String) n.get("id");
      } else if ("STANDBY".equals(n.get("role"))) {
        spare = (String) n.get("id");
        spareReady = Boolean.TRUE.equals(n.get("ready"));
      }
    }
    boolean connected = Boolean.TRUE.equals(reg.get("connected"));
    h.append("<div class=\"cards\" id=\"summary\">");
    card(
        h,
        "primary",
        primary == null ? "none" : primary,
        primary != null,
        "epoch " + reg.get("epoch"));
    card(
        h,
        "hot spare",
        spare == null ? "none" : spare,
        spare != null && spareReady,
        spare == null ? "no standby node" : spareReady ? "ready" : "not ready");
    card(
        h,
        "ZooKeeper",
        connected ? "connected" : "NOT connected",
        connected,
        "view " + esc(reg.get("source")));
    card(
        h,
        "current snapshot",
        cur == null ? "none" : String.valueOf(cur.get("id")),
        cur != null,
        cur == null ? "" : "published " + ago(now, (Long) cur.get("publishedAtMillis")) + " ago");
    long[] rps = (long[]) m.get("redirectsPerSecond");
    long last = 0;
    for (int i = Math.max(0, rps.length - 10); i < rps.length; i++) {
      last += rps[i];
    }
    card(h, "redirects", String.format("%.1f/s", last / 10.0), true, "last 10 s");
    h.append("</div>")
        .append("<p>Registry: ")
        .append(esc(String.valueOf(reg.get("source"))))
        .append(connected ? ", connected" : ", NOT connected")
        .append(", epoch ")
        .append(esc(String.valueOf(reg.get("epoch"))))
        .append("</p>")
        .append(
            reg.get("note") == null
                ? ""
                : "<p id=\"stale\"><b>" + esc(reg.get("note")) + "</b></p>")
        .append("<h2>Nodes</h2><table id=\"nodes\"><tr><th>node</th><th>role</th>")
        .append("<th>ready</th><th>snapshot</th><th>address</th><th>heartbeat</th></tr>");
    for (Map<String, Object> n : nodes) {
      String role = String.valueOf(n.get("role"));
      h.append("<tr class=\"")
          .append(Boolean.TRUE.equals(n.get("ready")) ? "OK" : "BROKEN")
          .append("\"><td>")
          .append(esc(n.get("id")))
          .append("</td><td>")
          .append(esc(role))
          .append(
              "ACTIVE".equals(role) ? " (primary)" : "STANDBY".equals(role) ? " (hot spare)" : "")
          .append("</td><td>")
          .append(esc(n.get("ready")))
          .append("</td><td>")
          .append(esc(n.get("snapshot")))
          .append("</td><td>")
          .append(esc(n.get("address")))
          .append("</td><td>")
          .append(ago(0, -((Number) n.get("heartbeatAgeMillis")).longValue()))
          .append(" ago</td></tr>");
    }
    h.append("</table>");
    Map<String, Object> me = (Map<String, Object>) m.get("thisNode");
    if (me != null) {
      h.append("<p id=\"this-node\">This page is served by <b>")
          .append(esc(me.get("id")))
          .append("</b>. Its last sync: ")
          .append(esc(me.getOrDefault("lastSyncOutcome", "none yet")));
      if (me.get("lastSyncAtMillis") != null) {
        h.append(", ")
            .append(ago(now, ((Number) me.get("lastSyncAtMillis")).longValue()))
            .append(" ago from ")
            .append(esc(me.get("lastSyncUpstream")));
      }
      if (me.get("lastPublishedAtMillis") != null) {
        h.append("; last published ")
            .append(ago(now, ((Number) me.get("lastPublishedAtMillis")).longValue()))
            .append(" ago");
      }
      h.append("; ").append(esc(me.get("syncRuns"))).append(" syncs since start.</p>");
    }
    h.append("<h2>Current snapshot</h2><p id=\"current\">");
    h.append(cur == null ? "none recorded" : esc(cur.get("id")));
    if (cur != null) {
      h.append(" &middot; published ")
          .append(esc(java.time.Instant.ofEpochMilli((Long) cur.get("publishedAtMillis"))))
          .append(" (")
          .append(ago(now, (Long) cur.get("publishedAtMillis")))
          .append(" ago) in epoch ")
          .append(esc(cur.get("epoch")));
    }
    h.append("</p>");
    List<Map<String, Object>> mirrors = (List<Map<String, Object>>) m.get("mirrors");
    h.append("<div class=\"charts\"><div><h2>Redirects per second (5 min)</h2>")
        .append(redirectChart(rps))
        .append("</div><div><h2>Mirror lag</h2>")
        .append(lagChart(mirrors))
        .append("</div></div>");
    h.append("<h2>Mirrors</h2><table id=\"mirrors\"><tr><th>mirror</th><th>IP</th><th>scheme</th>")
        .append("<th>suite</th><th>health</th><th>at current</th><th>lag</th><th>latency</th>")
        .append("<th>share (5 min)</th><th>reason</th></tr>");
    for (Map<String, Object> x : mirrors) {
      List<Map<String, Object>> states = (List<Map<String, Object>>) x.get("states");
      String share = String.format("%.1f %%", 100 * (Double) x.get("share5m"));
      if (states.isEmpty()) {
        h.append("<tr><td>")
            .append(esc(x.get("id")))
            .append("</td><td colspan=\"7\">not probed yet</td><td>")
            .append(share)
            .append("</td><td></td></tr>");
      }
      for (Map<String, Object> s : states) {
        h.append("<tr class=\"")
            .append(esc(s.get("health")))
            .append("\"><td>")
            .append(esc(x.get("id")))
            .append(Boolean.TRUE.equals(x.get("drained")) ? " (drained)" : "")
            .append("</td>")
            .append(familiesCell((Map<String, Map<String, Object>>) x.get("families")))
            .append("<td>")
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
    h.append("</table><h2>Failover drills</h2>");
    List<Map<String, Object>> drills = (List<Map<String, Object>>) m.get("drills");
    if (drills.isEmpty()) {
      h.append("<p id=\"drills\">none recorded: <code>mirrorctl drill</code></p>");
    } else {
      h.append("<table id=\"drills\"><tr><th>drill</th><th>mode</th><th>result</th>")
          .append("<th>started</th><th>summary</th></tr>");
      for (Map<String, Object> d : drills) {
        boolean passed = Boolean.TRUE.equals(d.get("passed"));
        h.append("<tr class=\"")
            .append(passed ? "OK" : "BROKEN")
            .append("\"><td>")
            .append(esc(d.get("id")))
            .append("</td><td>")
            .append(esc(d.get("mode")))
            .append("</td><td>")
            .append(passed ? "PASS" : "FAIL")
            .append("</td><td>")
            .append(esc(java.time.Instant.ofEpochMilli((Long) d.get("startedAtMillis")).toString()))
            .append("</td><td>")
            .append(esc(d.get("summary")))
            .append("</td></tr>");
      }
      h.append("</table>");
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void card(StringBuilder h, String title, String value, boolean good, String sub) {
    h.append("<div class=\"card\"><span>")
        .append(esc(title))
        .append("</span><b class=\"")
        .append(good ? "good" : "bad")
        .append("\">")
        .append(esc(value))
        .append("</b><small>")
        .append(esc(sub))
        .append("</small></div>");
  }

  /** A duration in the largest whole unit: 42 s, 5 min, 3 h, 2 d. */
  static String ago(long now, long then) {
    long s = Math.max(0, (now - then) / 1000);
    if (s < 120) {
      return s + " s";
    }
    if (s < 7200) {
      return s / 60 + " min";
    }
    if (s < 172800) {
      return s / 3600 + " h";
    }
    return s / 86400 + " d";
  }

  /** The last five minutes of redirects per second as an SVG line. */
  static String redirectChart(long[] rps) {
    int w = 480;
    int ht = 120;
    long max = 1;
    for (long v : rps) {
      max = Math.max(max, v);
    }
    StringBuilder pts = new StringBuilder();
    for (int i = 0; i < rps.length; i++) {
      double x = rps.length == 1 ? 0 : (double) i * (w - 1) / (rps.length - 1);
      double y = ht - 15 - (double) rps[i] * (ht - 25) / max;
      pts.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    return "<svg id=\"redirects-chart\" width=\""
        + w
        + "\" height=\""
        + ht
        + "\" viewBox=\"0 0 "
        + w
        + " "
        + ht
        + "\" role=\"img\" aria-label=\"redirects per second\"><polyline fill=\"none\""
        + " stroke=\"#1565c0\" stroke-width=\"1.5\" points=\""
        + pts.toString().strip()
        + "\"/><text x=\"4\" y=\"12\" font-size=\"11\">max "
        + max
        + "/s</text><text x=\"4\" y=\""
        + (ht - 2)
        + "\" font-size=\"11\">-5 min</text><text x=\""
        + (w - 30)
        + "\" y=\""
        + (ht - 2)
        + "\" font-size=\"11\">now</text></svg>";
  }

  /**
   * The address families a mirror answers over: "IPv4, IPv6", "IPv4 only" or "IPv6 only" with why
   * the other does not work as the cell's title, "none" when neither, empty when not yet checked.
   */
  private static String familiesCell(Map<String, Map<String, Object>> f) {
    if (f == null || f.isEmpty()) {
      return "<td class=\"families\"></td>";
    }
    List<String> works = new ArrayList<>();
    List<String> not = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> e : f.entrySet()) {
      String name = e.getKey().equals("ipv6") ? "IPv6" : "IPv4";
      if (Boolean.TRUE.equals(e.getValue().get("works"))) {
        works.add(name);
      } else {
        not.add(name + ": " + e.getValue().get("detail"));
      }
    }
    String text =
        works.isEmpty()
            ? "none"
            : not.isEmpty() ? String.join(", ", works) : String.join(", ", works) + " only";
    return "<td class=\"families\" title=\""
        + esc(String.join("; ", not))
        + "\">"
        + esc(text)
        + "</td>";
  }

  /** Each mirror's lag behind the current snapshot, as bars (0 for mirrors at it). */
  @SuppressWarnings("unchecked")
  static String lagChart(List<Map<String, Object>> mirrors) {
    int w = 480;
    int row = 18;
    int ht = Math.max(1, mirrors.size()) * row + 8;
    long max = 60_000;
    Map<String, Long> lag = new LinkedHashMap<>();
    Map<String, String> health = new LinkedHashMap<>();
    for (Map<String, Object> x : mirrors) {
      long worst = 0;
      List<Map<String, Object>> sts = (List<Map<String, Object>>) x.get("states");
      String hl = sts.isEmpty() ? "not probed" : "OK";
      for (Map<String, Object> st : (List<Map<String, Object>>) x.get("states")) {
        Object l = st.get("lagMillis");
        if (l != null) {
          worst = Math.max(worst, ((Number) l).longValue());
        }
        if (!"OK".equals(st.get("health"))) {
          hl = String.valueOf(st.get("health"));
        }
      }
      lag.put(String.valueOf(x.get("id")), worst);
      health.put(String.valueOf(x.get("id")), hl);
      max = Math.max(max, worst);
    }
    StringBuilder b =
        new StringBuilder("<svg id=\"lag-chart\" width=\"")
            .append(w)
            .append("\" height=\"")
            .append(ht)
            .append("\" role=\"img\" aria-label=\"mirror lag\">");
    int i = 0;
    for (Map.Entry<String, Long> e : lag.entrySet()) {
      int y = 4 + i++ * row;
      int bar = (int) Math.max(2, e.getValue() * (w - 200) / max);
      String colour =
          switch (health.get(e.getKey())) {
            case "OK" -> "#66bb6a";
            case "LAGGING" -> "#ffca28";
            case "AHEAD" -> "#26a69a";
            case "SYNCING" -> "#42a5f5";
            case "BROKEN" -> "#ef5350";
            default -> "#9e9e9e";
          };
      b.append("<text x=\"4\" y=\"")
          .append(y + 12)
          .append("\" font-size=\"11\">")
          .append(esc(e.getKey()))
          .append("</text><rect class=\"lag\" x=\"130\" y=\"")
          .append(y + 2)
          .append("\" width=\"")
          .append(bar)
          .append("\" height=\"")
          .append(row - 6)
          .append("\" fill=\"")
          .append(colour)
          .append("\"/><text x=\"")
          .append(136 + bar)
          .append("\" y=\"")
          .append(y + 12)
          .append("\" font-size=\"11\">")
          .append(
              e.getValue() > 0
                  ? ago(e.getValue(), 0)
                  : health.get(e.getKey()).equals("OK") ? "current" : esc(health.get(e.getKey())))
          .append("</text>");
    }
    return b.append("</svg>").toString();
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
