package org.mirrordirector.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mirrordirector.ops.client.NodeClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mirrorctl status}: the cluster at a glance, from any node's {@code /status.json}. */
@Command(
    name = "status",
    description = "Show the cluster: nodes and roles, current snapshot, mirrors and their states.")
public final class StatusCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--url", paramLabel = "URL", description = "A node or the service address.")
  public String url;

  @Option(names = "--config", paramLabel = "FILE", description = "A node.yaml to take URL from.")
  public Path config;

  @Option(names = "--json", description = "Print the node's status.json as it is.")
  public boolean json;

  @Override
  public Integer call() throws Exception {
    NodeClient node = NodeClient.of(url, null, config);
    JsonNode s = node.status();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(s));
      out.flush();
      return ExitCode.OK;
    }
    out.print(render(node.base().toString(), s, replicaViews(s)));
    out.flush();
    JsonNode reg = s.path("registry");
    boolean oneActive = count(s.path("nodes"), "ACTIVE") == 1;
    return reg.path("connected").asBoolean() && oneActive ? ExitCode.OK : ExitCode.FAILED;
  }

  private static String view(Map<String, String> views, String id) {
    String v = views.get(id);
    return v == null ? "" : "; its view: " + v;
  }

  private static int count(JsonNode nodes, String role) {
    int n = 0;
    for (JsonNode x : nodes) {
      if (role.equals(x.path("role").asText())) {
        n++;
      }
    }
    return n;
  }

  /**
   * What each replica says of its own view, asked at its own address (a replica cut off from
   * ZooKeeper is no longer in the registry, but still answers its clients): "LIVE, 0.3 s old",
   * "LAST_KNOWN_GOOD, 12 s old", or "unreachable".
   */
  public static Map<String, String> replicaViews(JsonNode s) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    List<JsonNode> all = new java.util.ArrayList<>();
    for (JsonNode n : s.path("nodes")) {
      if ("REPLICA".equals(n.path("role").asText())) {
        all.add(n);
      }
    }
    s.path("replicasNotConnected").forEach(all::add);
    java.net.http.HttpClient http =
        java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    for (JsonNode n : all) {
      String id = n.path("id").asText();
      try {
        var r =
            http.send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://" + n.path("address").asText() + "/status.json"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        JsonNode reg = new ObjectMapper().readTree(r.body()).path("registry");
        out.put(
            id,
            reg.path("source").asText("?")
                + (reg.hasNonNull("viewAgeMillis")
                    ? ", " + seconds(reg.get("viewAgeMillis").asLong()) + " old"
                    : ""));
      } catch (java.io.IOException | IllegalArgumentException e) {
        out.put(id, "unreachable");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.put(id, "unreachable");
      }
    }
    return out;
  }

  /** The status as terminal text. */
  public static String render(String from, JsonNode s) {
    return render(from, s, Map.of());
  }

  /**
   * The status as terminal text.
   *
   * @param replicaViews what each replica says of its own view ({@link #replicaViews})
   */
  public static String render(String from, JsonNode s, Map<String, String> replicaViews) {
    StringBuilder b = new StringBuilder();
    JsonNode reg = s.path("registry");
    b.append("cluster (from ").append(from).append(")\n");
    b.append(
        String.format(
            Locale.ROOT,
            "  registry: %s, %s, epoch %s, leader %s%n",
            reg.path("source").asText(),
            reg.path("connected").asBoolean() ? "connected" : "NOT CONNECTED",
            reg.path("epoch").asText(),
            reg.path("leader").asText("-")));
    if (reg.hasNonNull("note")) {
      b.append("  ! ").append(reg.get("note").asText()).append('\n');
    }
    JsonNode cur = s.path("current");
    b.append("  current snapshot: ")
        .append(cur.isNull() || cur.isMissingNode() ? "none recorded" : cur.path("id").asText())
        .append(
            cur.hasNonNull("publishedAtMillis")
                ? " (published " + ago(s, cur.get("publishedAtMillis").asLong()) + " ago)"
                : "")
        .append('\n');
    b.append("nodes\n");
    for (JsonNode n : s.path("nodes")) {
      if ("REPLICA".equals(n.path("role").asText())) {
        b.append(
            String.format(
                Locale.ROOT,
                "  %-12s %-8s %-9s %-10s %-28s present, changed %s ago%s%n",
                n.path("id").asText(),
                "REPLICA",
                n.path("ready").asBoolean() ? "ready" : "NOT READY",
                n.path("region").asText("-"),
                n.path("snapshot").asText("-"),
                seconds(n.path("heartbeatAgeMillis").asLong()),
                view(replicaViews, n.path("id").asText())));
        continue;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "  %-12s %-8s %-9s epoch %-4s %-28s heartbeat %s ago%n",
              n.path("id").asText(),
              n.path("role").asText(),
              n.path("ready").asBoolean() ? "ready" : "NOT READY",
              n.path("epoch").asText(),
              n.path("snapshot").asText("-"),
              seconds(n.path("heartbeatAgeMillis").asLong())));
    }
    for (JsonNode n : s.path("replicasNotConnected")) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-12s %-8s %-9s %-10s %-28s NOT CONNECTED for %s%s%n",
              n.path("id").asText(),
              "REPLICA",
              "-",
              n.path("region").asText("-"),
              n.path("snapshot").asText("-"),
              seconds(n.path("goneForMillis").asLong()),
              view(replicaViews, n.path("id").asText())));
    }
    if (count(s.path("nodes"), "ACTIVE") != 1) {
      b.append("  ! ")
          .append(count(s.path("nodes"), "ACTIVE"))
          .append(" active nodes (exactly one is healthy)\n");
    }
    b.append("mirrors\n");
    for (JsonNode m : s.path("mirrors")) {
      String flags =
          !m.path("enabled").asBoolean(true)
              ? " DISABLED"
              : m.path("drained").asBoolean() ? " DRAINED" : "";
      b.append(
          String.format(
              Locale.ROOT,
              "  %-16s %5.1f%% of redirects%s%n",
              m.path("id").asText(),
              100 * m.path("share5m").asDouble(),
              flags));
      if (m.hasNonNull("unreachable")) {
        // Out of routing before its probes say DOWN: the quick check found it not answering.
        b.append("    OUT OF ROUTING: ")
            .append(m.path("unreachable").path("text").asText())
            .append('\n');
      }
      if (m.path("states").isEmpty()) {
        b.append(
            m.path("enabled").asBoolean(true)
                ? "    not probed yet (the active node probes it within seconds)\n"
                : "    not probed (disabled)\n");
      }
      for (JsonNode st : m.path("states")) {
        b.append(
            String.format(
                Locale.ROOT,
                "    %-5s %-12s %-8s %-11s lag %-7s %6s  %s%n",
                st.path("scheme").asText(),
                st.path("suite").asText(),
                st.path("health").asText(),
                st.path("atCurrent").asBoolean() ? "current" : "not current",
                st.hasNonNull("lagMillis") ? seconds(st.get("lagMillis").asLong()) : "-",
                st.hasNonNull("latencyMs") ? st.get("latencyMs").asLong() + " ms" : "-",
                st.path("reason").asText("")));
      }
    }
    b.append(
        String.format(
            Locale.ROOT,
            "redirects: %.1f/s; served by the node itself in 5 min: %d%n",
            s.path("redirectsPerSecond").asDouble(),
            s.path("servedLocally5m").asLong()));
    return b.toString();
  }

  private static String ago(JsonNode s, long millis) {
    return seconds(s.path("generatedAtMillis").asLong() - millis);
  }

  public static String seconds(long ms) {
    if (ms < 0) {
      return "0s";
    }
    long sec = ms / 1000;
    if (sec < 120) {
      return sec + "s";
    }
    if (sec < 7200) {
      return sec / 60 + "m";
    }
    if (sec < 172800) {
      return sec / 3600 + "h";
    }
    return sec / 86400 + "d";
  }
}
