package org.mirrordirector.ops.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mirrordirector.failover.DrillRecord;

/**
 * A drill's result: its figures, its verdict ({@link #passed()} when every figure passed), and how
 * the terminal, the JSON file and the registry show it.
 */
public record DrillReport(
    String id,
    String mode,
    Instant started,
    Instant finished,
    String primaryBefore,
    String primaryAfter,
    long epochBefore,
    long epochAfter,
    int requests,
    List<Figure> figures,
    List<String> notes) {
  private static final ObjectMapper JSON = new ObjectMapper();

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

  /** The drill as the registry keeps it, for the status page. */
  public DrillRecord record() {
    String summary =
        (passed() ? "PASS" : "FAIL")
            + ": "
            + primaryBefore
            + " -> "
            + primaryAfter
            + ", "
            + String.join(
                ", ",
                figures.stream()
                    .map(
                        f ->
                            f.name()
                                + " "
                                + Figure.fmt(f.value())
                                + f.unit()
                                + (f.pass() ? "" : " (FAIL)"))
                    .toList());
    return new DrillRecord(
        id, mode, passed(), started.toEpochMilli(), finished.toEpochMilli(), values(), summary);
  }

  /** The report as the terminal shows it. */
  public String render() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%s (%s): %s -> %s, epoch %d -> %d, %d requests%n",
            id,
            mode,
            primaryBefore,
            primaryAfter,
            epochBefore,
            epochAfter,
            requests));
    for (Figure f : figures) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-4s %-17s %10s   (%s)%n",
              f.pass() ? "PASS" : "FAIL",
              f.name(),
              Figure.fmt(f.value()) + f.unit(),
              f.limit()));
    }
    b.append(passed() ? "PASS" : "FAIL").append('\n');
    return b.toString();
  }

  /** The report as the JSON file holds it. */
  public String json() throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("mode", mode);
    m.put("passed", passed());
    m.put("started", started.toString());
    m.put("finished", finished.toString());
    m.put("primaryBefore", primaryBefore);
    m.put("primaryAfter", primaryAfter);
    m.put("epochBefore", epochBefore);
    m.put("epochAfter", epochAfter);
    m.put("requests", requests);
    m.put("figures", Figure.asJson(figures));
    m.put("notes", notes);
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m);
  }
}
