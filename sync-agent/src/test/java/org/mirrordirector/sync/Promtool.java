package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prometheus's own checker, from Debian's {@code prometheus} package (the test command installs
 * it): the metrics' exposition, rule files and rule unit tests.
 */
public final class Promtool {
  private Promtool() {}

  /** promtool check metrics' complaints about an exposition text; empty when it has none. */
  public static String checkMetrics(String exposition) throws Exception {
    return run(exposition, "check", "metrics");
  }

  /** promtool's output for {@code promtool ARGS...}; fails the test when it exits non-zero. */
  public static String run(Path cwd, String... args) throws Exception {
    return run(null, cwd, args);
  }

  private static String run(String stdin, String... args) throws Exception {
    return run(stdin, null, args);
  }

  private static String run(String stdin, Path cwd, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("promtool"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (cwd != null) {
      pb.directory(cwd.toFile());
    }
    Path tmp = java.nio.file.Files.createTempDirectory("promtool");
    try {
      if (stdin != null) {
        Path in = tmp.resolve("stdin");
        java.nio.file.Files.writeString(in, stdin, StandardCharsets.UTF_8);
        pb.redirectInput(in.toFile());
      }
      RunResult r = BoundedRun.run(pb, tmp, java.time.Duration.ofSeconds(120));
      assertThat(r.exit()).as(r.describe(cmd)).isZero();
      return r.output().strip();
    } finally {
      try (var s = java.nio.file.Files.walk(tmp)) {
        for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          java.nio.file.Files.deleteIfExists(f);
        }
      }
    }
  }
}
