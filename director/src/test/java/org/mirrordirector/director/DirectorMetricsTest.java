package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mirrordirector.failover.ClusterView;

class DirectorMetricsTest {
  @Test
  void selectionHistogramBucketsAreCumulativeAsPrometheusReadsThem() {
    DirectorMetrics m = new DirectorMetrics(ClusterView::empty, () -> false, null);
    m.selected(5_000); // 5 us
    m.selected(40_000); // 40 us
    m.selected(2_000_000); // 2 ms
    m.selected(500_000_000); // 0.5 s: beyond the last bucket
    String t = m.text();
    assertThat(t)
        .contains("md_selection_seconds_bucket{le=\"1.0E-5\"} 1\n")
        .contains("md_selection_seconds_bucket{le=\"5.0E-5\"} 2\n")
        .contains("md_selection_seconds_bucket{le=\"0.001\"} 2\n")
        .contains("md_selection_seconds_bucket{le=\"0.0025\"} 3\n")
        .contains("md_selection_seconds_bucket{le=\"0.1\"} 3\n")
        .contains("md_selection_seconds_bucket{le=\"+Inf\"} 4\n")
        .contains("md_selection_seconds_count 4\n");
  }
}
