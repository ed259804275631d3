package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.CurrentSnapshot;
import org.mirrordirector.failover.DrillRecord;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorState;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.NodeInfo;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.SnapshotRecord;
import org.mirrordirector.failover.SuiteSnapshot;
import org.mirrordirector.failover.SuiteState;
import org.mirrordirector.failover.ViewSource;

class DirectorMetricsTest {
  static final long NOW = 1_800_000_000_000L;
  static final String OLD = "a".repeat(64);
  static final String NEW = "b".repeat(64);

  @Test
  void selectionHistogramBucketsAreCumulativeAsPrometheusReadsThem() {
    DirectorMetrics m = new DirectorMetrics(ClusterView::empty, () -> false, null);
    m.selected(5_000); // 5 us
    m.selected(40_000); // 40 us
    m.selected(2_000_000); // 2 ms
    m.selected(5_000_000_000L); // 5 s: beyond the last bucket
    String t = m.text();
    assertThat(t)
        .contains("md_selection_seconds_bucket{le=\"1.0E-5\"} 1\n")
        .contains("md_selection_seconds_bucket{le=\"5.0E-5\"} 2\n")
        .contains("md_selection_seconds_bucket{le=\"0.001\"} 2\n")
        .contains("md_selection_seconds_bucket{le=\"0.002\"} 3\n")
        .contains("md_selection_seconds_bucket{le=\"1.0\"} 3\n")
        .contains("md_selection_seconds_bucket{le=\"+Inf\"} 4\n")
        .contains("md_selection_seconds_count 4\n");
  }

  /**
   * The cluster as the view shows it: mirrors by health and at the current snapshot (drained,
   * disabled and lagging ones are not), each node's distance behind the current snapshot, the
   * upstream's Release date, the view's source and age, and the last drill per mode.
   */
  @Test
  void theClusterGaugesAreReadFromTheViewWhenScraped() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ClusterView[] v = {view()};
    ClusterMetrics c = new ClusterMetrics(r, () -> v[0], () -> true, () -> NOW + 30_000);
    c.refresh();
    String t = r.scrape();
    assertThat(t)
        .contains("md_mirrors_current 1.0\n")
        .contains("md_mirrors{health=\"ok\"} 2.0\n") // current and drained; not the disabled one
        .contains("md_mirrors{health=\"lagging\"} 1.0\n")
        .contains("md_node_snapshot_behind_seconds{node=\"a\"} 0.0\n")
        .contains("md_node_snapshot_behind_seconds{node=\"b\"} 3600.0\n")
        .contains("md_node_role{node=\"b\",role=\"standby\"} 1.0\n")
        .contains("md_node_ready{node=\"b\"} 0.0\n")
        .contains("md_snapshot_release_date_timestamp_seconds{suite=\"bookworm\"} 1.7999964E9\n")
        .contains("md_snapshot_published_timestamp_seconds 1.8E9\n")
        .contains("md_registry_view_source{source=\"live\"} 1.0\n")
        .contains("md_registry_view_age_seconds 30.0\n")
        .contains("md_drill_passed{mode=\"crash\"} 0.0\n") // the later of two crash drills
        .contains("md_drill_finished_timestamp_seconds{mode=\"crash\"} 1.8E9\n")
        .contains("md_drill_passed{mode=\"pause\"} 1.0\n")
        .contains(
            "md_mirror_health{health=\"lagging\",mirror=\"old\",scheme=\"http\",suite=\"bookworm\"}"
                + " 1.0\n")
        .contains("md_mirror_lag_seconds{mirror=\"old\",scheme=\"http\",suite=\"bookworm\"} 600.0");

    // A mirror removed from the registry leaves no series behind.
    v[0] =
        new ClusterView(
            2,
            ViewSource.LAST_KNOWN_GOOD,
            false,
            NOW,
            3,
            "a",
            v[0].nodes(),
            Map.of("current", v[0].mirrors().get("current")),
            v[0].snapshots(),
            v[0].current(),
            v[0].drills(),
            List.of());
    c.refresh();
    t = r.scrape();
    assertThat(t)
        .doesNotContain("mirror=\"old\"")
        .contains("md_mirrors{health=\"lagging\"} 0.0\n")
        .contains("md_registry_view_source{source=\"last_known_good\"} 1.0\n")
        .contains("md_view_last_known_good 1.0\n")
        .contains("md_zookeeper_connected 0.0\n");
  }

  /** Everything the director writes passes Prometheus's own linter (promtool check metrics). */
  @Test
  void promtoolFindsNothingToSayAboutTheExposition() throws Exception {
    DirectorMetrics m =
        new DirectorMetrics(
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            DirectorMetricsTest::view,
            () -> true,
            null);
    m.redirects("current").count(PathKind.POOL);
    m.fallback(SelectionOutcome.values()[0]);
    m.held("expired");
    m.error(503);
    m.selected(TimeUnit.MICROSECONDS.toNanos(3));
    assertThat(org.mirrordirector.sync.Promtool.checkMetrics(m.text())).isEmpty();
  }

  static ClusterView view() {
    SuiteState ok = new SuiteState(NEW, Health.OK, 20L, NOW, "ok", null, null);
    SuiteState lagging = new SuiteState(OLD, Health.LAGGING, 20L, NOW, "behind", 600_000L, null);
    return new ClusterView(
        1,
        ViewSource.LIVE,
        true,
        NOW,
        3,
        "a",
        Map.of(
            "a", new NodeInfo("a", "127.0.0.1:1", Role.ACTIVE, 3, true, NOW, "s2", null),
            "b", new NodeInfo("b", "127.0.0.1:2", Role.STANDBY, 3, false, NOW, "s1", null)),
        Map.of(
            "current", mirror("current", true, false, ok),
            "drained", mirror("drained", true, true, ok),
            "disabled", mirror("disabled", false, false, ok),
            "old", mirror("old", true, false, lagging)),
        Map.of(
            "s1",
            new SnapshotRecord(
                "s1", Map.of("bookworm", new SuiteSnapshot(OLD, NOW - 7_200_000)), NOW - 3_600_000),
            "s2",
            new SnapshotRecord(
                "s2", Map.of("bookworm", new SuiteSnapshot(NEW, NOW - 3_600_000)), NOW)),
        new CurrentSnapshot("s2", NOW, 3),
        List.of(
            new DrillRecord("d1", "crash", true, NOW - 20_000, NOW - 10_000, Map.of(), "ok"),
            new DrillRecord("d2", "crash", false, NOW - 5_000, NOW, Map.of(), "failed"),
            new DrillRecord("d3", "pause", true, NOW - 5_000, NOW, Map.of(), "ok")),
        List.of());
  }

  private static MirrorView mirror(String id, boolean enabled, boolean drained, SuiteState s) {
    MirrorConfig c =
        TestFleet.httpMirror(id, "http://" + id + ".example.org/raspbian/")
            .withSwitches(enabled, drained);
    return new MirrorView(c, new MirrorState(id, Map.of("http", Map.of("bookworm", s)), NOW));
  }
}
