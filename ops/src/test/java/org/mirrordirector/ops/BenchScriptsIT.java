package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RunResult;

/**
 * The benchmark scripts run from a fresh clone: {@code ops/bench/classpath.sh}, which the director
 * and moving-mirrors benchmarks source, builds the clone and gives a classpath made of the clone's
 * own modules, never of SNAPSHOT jars in the local Maven repository (a fresh machine has none
 * installed; the director bench once stopped there), and the benchmarks' classes run from it. Every
 * script in {@code ops/bench/} passes {@code bash -n}.
 */
class BenchScriptsIT {
  @TempDir Path dir;

  @Test
  void theBenchmarksBuildAndRunFromAFreshClone() throws Exception {
    Path checkout = Path.of("..").toAbsolutePath().normalize();
    // Skipped only in a build from the source tarball, which has no history to clone. Its twin is
    // this same test wherever the tree is a git checkout: the test command (.ci/run clones the
    // repository) always runs it.
    Assumptions.assumeTrue(
        Files.isDirectory(checkout.resolve(".git")), "not a git checkout: nothing to clone");
    Path clone = dir.resolve("clone");
    run(dir, "git", "clone", "-q", checkout.toString(), clone.toString());

    List<Path> scripts;
    try (Stream<Path> s = Files.list(clone.resolve("ops/bench"))) {
      scripts = s.filter(p -> p.toString().endsWith(".sh")).sorted().toList();
    }
    assertThat(scripts).hasSizeGreaterThanOrEqualTo(6);
    for (Path sh : scripts) {
      run(clone, "bash", "-n", sh.toString());
    }

    run(clone, "bash", "-c", ". ops/bench/classpath.sh && printf '%s' \"$cp\" > bench.cp");
    String cp = Files.readString(clone.resolve("bench.cp")).strip();
    assertThat(cp).isNotEmpty();
    for (String entry : cp.split(":")) {
      assertThat(entry)
          .as("from the clone's modules, not installed SNAPSHOTs")
          .doesNotContain("repository/org/mirrordirector");
      Path p = entry.startsWith("/") ? Path.of(entry) : clone.resolve(entry);
      assertThat(p).as(entry).exists();
    }
    assertThat(cp)
        .contains(clone.resolve("failover/target/classes").toString())
        .contains("ops/target/test-classes");
    // JMH lists the benchmarks the scripts run, from that classpath alone.
    String list = run(clone, "java", "-cp", cp, "org.openjdk.jmh.Main", "-l");
    assertThat(list).contains("SelectionBench");
  }

  private static String run(Path cwd, String... cmd) throws Exception {
    RunResult r = BoundedRun.run(List.of(cmd), cwd, java.time.Duration.ofMinutes(15));
    assertThat(r.exit()).as(r.describe(List.of(cmd))).isZero();
    return r.output();
  }
}
