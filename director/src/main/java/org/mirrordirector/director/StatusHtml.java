package org.mirrordirector.director;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The status page as HTML: cards, the tables of nodes, archives and mirrors, SVG charts. */
final class StatusHtml {
  private StatusHtml() {}

  private static final String STYLE =
      "body{font-family:system-ui,sans-serif;margin:1.5em 2em;color:#222;background:#fafafa}"
          + "h1{margin:.2em 0}h2{margin:1.2em 0 .4em;font-size:1.15em}"
          + "table{border-collapse:collapse;background:#fff}"
          + "td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left;font-size:.92em}"
          + "th{background:#eee}.OK{background:#d9f2d9}.LAGGING{background:#fff3c4}"
          + ".AHEAD{background:#c8f0e6}.SYNCING{background:#d6ebff}.BROKEN{background:#ffd6d6}.DOWN{background:#e0e0e0}.UNREACHABLE{background:#ffe0b2}"
          + ".cards{display:flex;gap:1em;flex-wrap:wrap}.card{background:#fff;border:1px solid"
          + " #ddd;border-radius:6px;padding:.6em 1em;min-width:12em}.card b{display:block;"
          + "font-size:1.3em}.bad{color:#b00020}.good{color:#1b5e20}.charts{display:flex;gap:2em;"
          + "flex-wrap:wrap}svg{background:#fff;border:1px solid #ddd}"
          + "#stale{background:#ffd6d6;padding:.5em}";

  @SuppressWarnings("unchecked")
  static String html(Map<String, Object> m) {
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
              "ACTIVE".equals(role)
                  ? " (primary)"
                  : "STANDBY".equals(role)
                      ? " (hot spare)"
                      : n.get("region") != null ? " (" + esc(n.get("region")) + ")" : "")
          .append("</td><td>")
          .append(esc(n.get("ready")))
          .append("</td><td>")
          .append(esc(n.get("snapshot")))
          .append("</td><td>")
          .append(esc(n.get("address")))
          .append("</td><td>")
          // A replica writes its znode on change only: its age says since when it is as shown.
          .append("REPLICA".equals(role) ? "present, changed " : "")
          .append(ago(0, -((Number) n.get("heartbeatAgeMillis")).longValue()))
          .append(" ago</td></tr>");
    }
    List<Map<String, Object>> gone =
        (List<Map<String, Object>>) m.getOrDefault("replicasNotConnected", List.of());
    for (Map<String, Object> n : gone) {
      // A replica cut off from ZooKeeper (or stopped): its clients get its last-known-good view.
      h.append("<tr class=\"BROKEN gone\"><td>")
          .append(esc(n.get("id")))
          .append("</td><td>REPLICA")
          .append(n.get("region") != null ? " (" + esc(n.get("region")) + ")" : "")
          .append("</td><td>not connected</td><td>")
          .append(esc(n.get("snapshot")))
          .append("</td><td>")
          .append(esc(n.get("address")))
          .append("</td><td>gone for ")
          .append(ago(0, -((Number) n.get("goneForMillis")).longValue()))
          .append("</td></tr>");
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
      List<Map<String, Object>> archives = (List<Map<String, Object>>) me.get("archives");
      if (archives != null) {
        // A node that serves several archives: each on its own (the rest of the page is the
        // first one's).
        h.append("<h2>Archives</h2><table id=\"archives\"><tr><th>archive</th><th>roots</th>")
            .append("<th>current snapshot</th><th>mirrors</th><th>last sync</th></tr>");
        for (Map<String, Object> a : archives) {
          h.append("<tr><td>")
              .append(esc(a.get("name")))
              .append("</td><td>")
              .append(esc(String.join(" ", (List<String>) a.get("roots"))))
              .append("</td><td>")
              .append(esc(a.get("current") == null ? "none yet" : a.get("current")))
              .append("</td><td>")
              .append(esc(a.get("mirrors")))
              .append("</td><td>")
              .append(esc(a.get("lastSyncOutcome") == null ? "none yet" : a.get("lastSyncOutcome")))
              .append("</td></tr>");
        }
        h.append("</table>");
      }
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
      Map<String, Object> silent = (Map<String, Object>) x.get("unreachable");
      for (Map<String, Object> s : states) {
        h.append("<tr class=\"")
            .append(silent != null ? "UNREACHABLE" : esc(s.get("health")))
            .append("\"><td>")
            .append(esc(x.get("id")))
            .append(Boolean.TRUE.equals(x.get("drained")) ? " (drained)" : "")
            .append(silent != null ? " (not answering)" : "")
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
            .append(silent != null ? esc(silent.get("text")) + "; " : "")
            .append(esc(s.get("reason")))
            .append("</td></tr>");
      }
    }
    h.append("</table><h2>Failover drills and soaks</h2>");
    List<Map<String, Object>> drills = (List<Map<String, Object>>) m.get("drills");
    if (drills.isEmpty()) {
      h.append(
          "<p id=\"drills\">none recorded: <code>mirrorctl drill</code>, <code>mirrorctl soak</code></p>");
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
   * the other does not work as the cell's title, "none" when neither, empty when not yet checked; a
   * family this node cannot check from where it stands is named as such ("IPv4 not checkable from
   * here"), its clients still sent.
   */
  private static String familiesCell(Map<String, Map<String, Object>> f) {
    if (f == null || f.isEmpty()) {
      return "<td class=\"families\"></td>";
    }
    List<String> works = new ArrayList<>();
    List<String> not = new ArrayList<>();
    List<String> unchecked = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> e : f.entrySet()) {
      String name = e.getKey().equals("ipv6") ? "IPv6" : "IPv4";
      if (Boolean.TRUE.equals(e.getValue().get("works"))) {
        works.add(name);
      } else if (Boolean.FALSE.equals(e.getValue().get("checkable"))) {
        unchecked.add(name + " not checkable from here");
        not.add(name + ": " + e.getValue().get("detail"));
      } else {
        not.add(name + ": " + e.getValue().get("detail"));
      }
    }
    String text =
        works.isEmpty()
            ? "none"
            : not.isEmpty() ? String.join(", ", works) : String.join(", ", works) + " only";
    if (!unchecked.isEmpty()) {
      text =
          works.isEmpty()
              ? String.join(", ", unchecked)
              : String.join(", ", works) + "; " + String.join(", ", unchecked);
    }
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
}
