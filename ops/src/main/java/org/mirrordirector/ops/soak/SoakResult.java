package org.mirrordirector.ops.soak;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mirrordirector.failover.DrillRecord;
import org.mirrordirector.ops.drill.Figure;

/** The soak's result. */
public record SoakResult(
    String id,
    Instant started,
    Instant finished,
    SoakSettings settings,
    Duration publishEvery,
    List<Figure> figures,
    Map<String, Integer> operations,
    List<FailedOperation> failures,
    Map<String, Integer> faults,
    Map<String, Integer> mirrorEvents,
    List<FaultDone> timeline,
    List<Freshness> freshness,
    Map<String, List<String>> healthsSeen,
    Map<String, List<String>> versionsSeen,
    Map<String, Long> redirectsLastFiveMinutes,
    List<String> problems) {
  public boolean passed() {
    return figures.stream().allMatch(Figure::pass);
  }

  public Map<String, Double> values() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (Figure f : figures) {
      m.put(f.name(), f.value());
    }
    return m;
  }

  public DrillRecord record() {
    StringBuilder s = new StringBuilder(passed() ? "PASS: " : "FAIL: ");
    List<String> parts = new ArrayList<>();
    for (Figure f : figures) {
      parts.add(f.name() + " " + Figure.fmt(f.value()) + f.unit() + (f.pass() ? "" : " (FAIL)"));
    }
    s.append(String.join(", ", parts));
    return new DrillRecord(
        id,
        "soak",
        passed(),
        started.toEpochMilli(),
        finished.toEpochMilli(),
        values(),
        s.toString());
  }
}
