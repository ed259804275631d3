package org.mirrordirector.ops.drill;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One figure of a drill or a soak and its verdict.
 *
 * @param value NaN when what it measures never came
 * @param limit the threshold as people read it, or "observed" when there is none
 */
public record Figure(String name, double value, String unit, String limit, boolean pass) {

  /** A value as the reports show it: whole numbers bare, others with two decimals, NaN "never". */
  public static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "never";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e9
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  /** Figures as the JSON reports hold them (a value that never came is null). */
  public static List<Map<String, Object>> asJson(List<Figure> figures) {
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
