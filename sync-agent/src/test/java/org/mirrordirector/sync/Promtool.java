package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (cwd != null) {
      pb.directory(cwd.toFile());
    }
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("promtool " + args[0]).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ":\n" + out).isZero();
    return out.strip();
  }
}
