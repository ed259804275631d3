package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.DrillRecord;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.demo.Demo;
import org.mirrordirector.ops.demo.DemoLayout;
import org.mirrordirector.sync.Promtool;

/**
 * A real Prometheus server (Debian's {@code prometheus}, on loopback, with its own temporary
 * storage) scraping the demo's two node processes every second and evaluating the shipped alert
 * rules (their {@code for:} shortened to 2 s, the expressions unchanged):
 *
 * <ul>
 *   <li>every metric the rules and the Grafana dashboard name exists in what it scraped, and every
 *       dashboard query evaluates without an error;
 *   <li>{@code promtool check metrics} finds nothing to say about either node's {@code /metrics};
 *   <li>{@code MirrorDirectorNoLeader} is inactive while a node leads, fires while both node
 *       processes are paused (SIGSTOP), and resolves after they are resumed.
 * </ul>
 */
class PrometheusTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aRealPrometheusScrapesTheClusterAndTheNoLeaderAlertFiresAndResolves() throws Exception {
    StringWriter log = new StringWriter();
    try (Demo demo = new Demo(dir.resolve("demo"), new PrintWriter(log, true))) {
      DemoLayout l = demo.start(0, Duration.ofSeconds(60));
      NodeClient c = NodeClient.of(l.service(), l.token(), null);
      // Traffic and a recorded drill, so that every series the dashboard shows has a sample.
      assertThat(status(l.service() + "raspbian/dists/bookworm/InRelease")).isEqualTo(302);
      assertThat(status(l.service() + "raspbian/pool/a%22b.deb")).isEqualTo(400);
      long now = System.currentTimeMillis();
      DrillRecord d =
          new DrillRecord(
              "prometheus-test", "crash", true, now - 5_000, now, Map.of("gap_ms", 10.0), "PASS");
      assertThat(
              c.admin("POST", "/admin/drills", new ObjectMapper().writeValueAsString(d))
                  .statusCode())
          .isEqualTo(200);

      int port = TestNodes.freePort("127.0.0.1");
      String prom = "http://127.0.0.1:" + port;
      Process p = startPrometheus(l, port);
      try {
        await(
            "both nodes are scraped",
            () -> query(prom, "sum(up{job=\"mirrordirector\"})"),
            v -> v == 2);
        await(
            "the sync, probe and drill series are scraped",
            () -> query(prom, "count(md_sync_runs_total) + count(md_drill_passed)"),
            v -> v > 0);
        await(
            "no leader is not firing",
            () -> alert(prom, "MirrorDirectorNoLeader"),
            "inactive"::equals);

        // Every metric the rules and the dashboard name exists in what Prometheus scraped.
        Set<String> scraped = new HashSet<>();
        for (JsonNode n : get(prom + "/api/v1/label/__name__/values").path("data")) {
          scraped.add(n.asText());
        }
        Set<String> named = new LinkedHashSet<>();
        for (JsonNode r : MonitoringTest.alerts().values()) {
          named.addAll(MonitoringTest.metricNames(r.path("expr").asText()));
        }
        for (List<String> exprs : MonitoringTest.dashboardQueries().values()) {
          for (String e : exprs) {
            named.addAll(MonitoringTest.metricNames(e));
            JsonNode answer = get(prom + "/api/v1/query?query=" + enc(e));
            assertThat(answer.path("status").asText()).as(e + ": " + answer).isEqualTo("success");
          }
        }
        assertThat(named).hasSizeGreaterThan(30);
        assertThat(scraped).containsAll(named);
        // Every md_ metric the operator's guide's Monitoring section and the design's list of the
        // director's metrics promise (the access log's has its own
        // check in NodeTest: the demo runs without one). A histogram is scraped as its series.
        for (String m : readmeMetrics()) {
          assertThat(scraped)
              .as("the docs name " + m)
              .anyMatch(x -> x.equals(m) || x.equals(m + "_count") || x.equals(m + "_bucket"));
        }

        for (int nodePort : l.nodePorts().values()) {
          String text = body("http://127.0.0.1:" + nodePort + "/metrics");
          assertThat(text).as("node on " + nodePort).startsWith("# HELP ");
          assertThat(Promtool.checkMetrics(text)).as("node on " + nodePort).isEmpty();
        }

        // Both node processes paused: nobody serves as leader, and the alert fires.
        Map<String, Process> nodes = demo.nodes();
        for (Process n : nodes.values()) {
          signal(n, "STOP");
        }
        try {
          await("no leader fires", () -> alert(prom, "MirrorDirectorNoLeader"), "firing"::equals);
        } finally {
          for (Process n : nodes.values()) {
            signal(n, "CONT");
          }
        }
        await(
            "no leader resolves once the nodes run again",
            () -> alert(prom, "MirrorDirectorNoLeader"),
            "inactive"::equals);
        assertThat(query(prom, "sum(md_serving_as_leader)")).isEqualTo(1);
      } finally {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  /**
   * The md_ metric names in the operator's guide's Monitoring section and the design's list of the
   * director's metrics.
   */
  static Set<String> readmeMetrics() throws IOException {
    String guide = Files.readString(Path.of("../docs/operators-guide.md"));
    String section =
        guide.substring(
            guide.indexOf("## Monitoring (`ops/monitoring/`)"), guide.indexOf("## Access log"));
    String design = Files.readString(Path.of("../docs/design.md"));
    int d = design.indexOf("- **`DirectorMetrics`**");
    section += design.substring(d, design.indexOf("- **`AdminApi`**", d));
    Set<String> names = new java.util.TreeSet<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("`(md_[a-z_]+)").matcher(section.replaceAll("\\s+", " "));
    while (m.find()) {
      if (!m.group(1).endsWith("_") && !m.group(1).startsWith("md_access_log")) {
        names.add(m.group(1));
      }
    }
    assertThat(names).hasSizeGreaterThan(30);
    return names;
  }

  private Process startPrometheus(DemoLayout l, int port) throws IOException {
    // The shipped rules with every `for:` shortened: the same expressions, seen within seconds.
    String rules =
        Files.readString(MonitoringTest.DIR.resolve("mirrordirector-rules.yml"))
            .replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: 2s");
    Files.writeString(dir.resolve("rules.yml"), rules);
    StringBuilder targets = new StringBuilder();
    for (int nodePort : l.nodePorts().values()) {
      targets.append(targets.length() == 0 ? "" : ", ").append("'127.0.0.1:").append(nodePort);
      targets.append("'");
    }
    Files.writeString(
        dir.resolve("prometheus.yml"),
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1s\n"
            + "rule_files: ['rules.yml']\n"
            + "scrape_configs:\n  - job_name: mirrordirector\n    static_configs:\n"
            + "      - targets: ["
            + targets
            + "]\n");
    return new ProcessBuilder(
            "prometheus",
            "--config.file=" + dir.resolve("prometheus.yml"),
            "--storage.tsdb.path=" + dir.resolve("tsdb"),
            "--web.listen-address=127.0.0.1:" + port,
            "--log.level=warn")
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile())
        .start();
  }

  /**
   * The state of an alerting rule as Prometheus evaluated it last: inactive, pending or firing;
   * "unevaluated" before its first evaluation, the error when it failed.
   */
  private String alert(String prom, String name) throws Exception {
    for (JsonNode g : get(prom + "/api/v1/rules?type=alert").path("data").path("groups")) {
      for (JsonNode r : g.path("rules")) {
        if (name.equals(r.path("name").asText())) {
          if (!"ok".equals(r.path("health").asText())) {
            return r.path("health").asText() + " " + r.path("lastError").asText();
          }
          return r.path("state").asText();
        }
      }
    }
    return "unevaluated";
  }

  /** A query's single value, or NaN when it has none. */
  private double query(String prom, String q) throws Exception {
    JsonNode r = get(prom + "/api/v1/query?query=" + enc(q)).path("data").path("result");
    return r.isEmpty() ? Double.NaN : Double.parseDouble(r.get(0).path("value").get(1).asText());
  }

  private JsonNode get(String url) throws Exception {
    return new ObjectMapper().readTree(body(url));
  }

  private String body(String url) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  private int status(String url) throws Exception {
    HttpClient noRedirects =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    return noRedirects
        .send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void signal(Process p, String sig) throws Exception {
    Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start();
    assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(k.exitValue()).isZero();
  }

  interface Read<T> {
    T get() throws Exception;
  }

  /** Polls until the value satisfies the check, for at most 90 s. */
  private <T> void await(String what, Read<T> read, Predicate<T> ok) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    T last = null;
    Exception error = null;
    while (System.nanoTime() < deadline) {
      try {
        last = read.get();
        error = null;
        if (ok.test(last)) {
          return;
        }
      } catch (IOException e) {
        error = e;
      }
      Thread.sleep(250);
    }
    String plog =
        Files.exists(dir.resolve("prometheus.log"))
            ? Files.readString(dir.resolve("prometheus.log"))
            : "";
    throw new AssertionError(
        what
            + ": not within 90 s; last "
            + last
            + (error == null ? "" : ", " + error)
            + "\n"
            + plog);
  }
}
