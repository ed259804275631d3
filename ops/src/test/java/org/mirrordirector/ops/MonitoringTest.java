package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.Promtool;
import org.mirrordirector.sync.RunResult;

/**
 * What {@code ops/monitoring/} ships, checked with Prometheus's and Alertmanager's own tools: the
 * alert rules are valid and each has promtool unit tests that see it quiet and firing; the
 * Alertmanager example is valid and routes every severity the rules use; the Grafana dashboard's
 * every panel has a query naming our metrics. {@code PrometheusTest} runs the rules and the
 * dashboard's queries in a real Prometheus against a running cluster.
 */
class MonitoringTest {
  static final Path DIR = Path.of("monitoring");
  static final Pattern METRIC =
      Pattern.compile("\\b((?:md|jvm|process|jetty|system)_[a-z0-9_]+|up)\\b(?!\\s*\\()");

  @Test
  void theRulesAreValidAndEveryAlertIsUnitTestedQuietAndFiring() throws Exception {
    assertThat(Promtool.run(DIR, "check", "rules", "mirrordirector-rules.yml"))
        .contains("SUCCESS: " + alerts().size() + " rules found");
    assertThat(Promtool.run(DIR, "test", "rules", "tests/rules-test.yml")).contains("SUCCESS");

    JsonNode tests = yaml(DIR.resolve("tests/rules-test.yml")).path("tests");
    Set<String> quiet = new LinkedHashSet<>();
    Set<String> firing = new LinkedHashSet<>();
    for (JsonNode t : tests) {
      for (JsonNode a : t.path("alert_rule_test")) {
        (a.path("exp_alerts").isEmpty() ? quiet : firing).add(a.path("alertname").asText());
      }
    }
    assertThat(quiet).as("alerts tested quiet").containsAll(alerts().keySet());
    assertThat(firing).as("alerts tested firing").containsAll(alerts().keySet());
  }

  @Test
  void everyAlertHasASeverityThatAlertmanagerRoutesAndSaysWhatToDo() throws Exception {
    Map<String, String> receivers = Map.of("page", "on-call", "ticket", "team-mail");
    String check = run("amtool", "check-config", DIR.resolve("alertmanager.yml").toString());
    assertThat(check).contains("SUCCESS").contains("2 receivers");
    for (Map.Entry<String, JsonNode> a : alerts().entrySet()) {
      String severity = a.getValue().path("labels").path("severity").asText();
      assertThat(receivers).as(a.getKey() + " severity").containsKey(severity);
      assertThat(a.getValue().path("annotations").path("summary").asText())
          .as(a.getKey())
          .isNotBlank();
      assertThat(a.getValue().path("annotations").path("description").asText())
          .as(a.getKey())
          .isNotBlank();
      String routed =
          run(
              "amtool",
              "config",
              "routes",
              "test",
              "--config.file=" + DIR.resolve("alertmanager.yml"),
              "alertname=" + a.getKey(),
              "severity=" + severity);
      // The receiver is the last line (amtool may warn about its flags before it).
      List<String> lines = routed.strip().lines().toList();
      assertThat(lines.get(lines.size() - 1)).as(a.getKey()).isEqualTo(receivers.get(severity));
    }
  }

  @Test
  void everyDashboardPanelQueriesOurMetrics() throws Exception {
    Map<String, List<String>> byPanel = dashboardQueries();
    assertThat(byPanel).hasSizeGreaterThan(25);
    for (Map.Entry<String, List<String>> p : byPanel.entrySet()) {
      assertThat(p.getValue()).as(p.getKey()).isNotEmpty();
      for (String expr : p.getValue()) {
        assertThat(metricNames(expr)).as(p.getKey() + ": " + expr).isNotEmpty();
      }
    }
  }

  /** Every alert of the rules file, by name. */
  static Map<String, JsonNode> alerts() throws Exception {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    for (JsonNode g : yaml(DIR.resolve("mirrordirector-rules.yml")).path("groups")) {
      for (JsonNode r : g.path("rules")) {
        m.put(r.path("alert").asText(), r);
      }
    }
    return m;
  }

  /** Each dashboard panel's queries, by panel title. */
  static Map<String, List<String>> dashboardQueries() throws Exception {
    JsonNode d = new ObjectMapper().readTree(DIR.resolve("grafana-dashboard.json").toFile());
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (JsonNode p : d.path("panels")) {
      if (p.path("type").asText().equals("row")) {
        continue;
      }
      List<String> exprs = new ArrayList<>();
      for (JsonNode t : p.path("targets")) {
        exprs.add(t.path("expr").asText());
      }
      m.put(p.path("title").asText(), exprs);
    }
    return m;
  }

  /** The metric names in a PromQL expression (ours, the JVM's, the process's, Jetty's, up). */
  static Set<String> metricNames(String expr) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = METRIC.matcher(expr);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  static JsonNode yaml(Path f) throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(f.toFile());
  }

  private static String run(String... cmd) throws Exception {
    RunResult r = BoundedRun.run(List.of(cmd), null, java.time.Duration.ofSeconds(60));
    assertThat(r.exit()).as(r.describe(List.of(cmd))).isZero();
    return r.output();
  }
}
