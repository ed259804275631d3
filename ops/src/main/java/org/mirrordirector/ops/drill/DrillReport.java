package org.mirrordirector.ops.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mirrordirector.failover.Payloads.DrillRecord;

/** A drill's figures, its verdict, and how the terminal and the JSON file show them. */
public final class DrillReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DrillReport() {}

  /** One figure and its verdict. */
  public record Figure(String name, double value, String unit, String limit, boolean pass) {}

  /** The drill's result; {@link #passed()} when every figure passed. */
  public record Report(
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
                                  + fmt(f.value())
                                  + f.unit()
                                  + (f.pass() ? "" : " (FAIL)"))
                      .toList());
      return new DrillRecord(
          id, mode, passed(), started.toEpochMilli(), finished.toEpochMilli(), values(), summary);
    }
  }

  /** The report as the terminal shows it. */
  public static String render(Report r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%s (%s): %s -> %s, epoch %d -> %d, %d requests%n",
            r.id(),
            r.mode(),
            r.primaryBefore(),
            r.primaryAfter(),
            r.epochBefore(),
            r.epochAfter(),
            r.requests()));
    for (Figure f : r.figures()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-4s %-17s %10s   (%s)%n",
              f.pass() ? "PASS" : "FAIL",
              f.name(),
              fmt(f.value()) + f.unit(),
              f.limit()));
    }
    b.append(r.passed() ? "PASS" : "FAIL").append('\n');
    return b.toString();
  }

  public static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "never";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e9
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  public static String json(Report r) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("mode", r.mode());
    m.put("passed", r.passed());
    m.put("started", r.started().toString());
    m.put("finished", r.finished().toString());
    m.put("primaryBefore", r.primaryBefore());
    m.put("primaryAfter", r.primaryAfter());
    m.put("epochBefore", r.epochBefore());
    m.put("epochAfter", r.epochAfter());
    m.put("requests", r.requests());
    m.put("figures", figures(r.figures()));
    m.put("notes", r.notes());
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m);
  }

  /** Figures as the JSON reports hold them (a value that never came is null). */
  public static List<Map<String, Object>> figures(List<Figure> figures) {
    List<Map<String, Object>> fs = new ArrayList<>();
    for (Figure f : figures) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("name", f.name());
      x.put("value", Double.isNaN(f.value()) ? null : f.value());
      x.put("unit", f.unit().strip());
      x.put("limit", f.limit());
      x.put("pass", f.pass());
      fs.add(x);
    }
    return fs;
  }
}
