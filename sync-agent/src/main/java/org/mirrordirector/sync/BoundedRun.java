package org.mirrordirector.sync;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a tool with a time limit that fires: its output goes to a file, read after the wait, so a
 * tool that hangs is killed (it and its children) at its limit instead of hanging its caller on a
 * read; it reads nothing (its input is /dev/null).
 */
public final class BoundedRun {

  private BoundedRun() {}

  /** Runs {@code cmd} in {@code dir} (null: this one), its output in a file in the temp dir. */
  public static RunResult run(List<String> cmd, Path dir, Duration limit)
      throws IOException, InterruptedException {
    return run(cmd, dir, Path.of(System.getProperty("java.io.tmpdir")), limit);
  }

  /** Runs {@code cmd} in {@code dir} (null: this one), its output in a file under {@code tmp}. */
  public static RunResult run(List<String> cmd, Path dir, Path tmp, Duration limit)
      throws IOException, InterruptedException {
    ProcessBuilder b = new ProcessBuilder(cmd);
    if (dir != null) {
      b.directory(dir.toFile());
    }
    return run(b, tmp, limit);
  }

  /**
   * Runs a process as {@code b} describes it (its directory, environment, input), its output in a
   * file under {@code tmp}: standard error with it, unless {@code b} sends standard error
   * elsewhere; its input /dev/null, unless {@code b} names one.
   */
  public static RunResult run(ProcessBuilder b, Path tmp, Duration limit)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(tmp, "run", ".out");
    try {
      b.redirectOutput(out.toFile());
      if (b.redirectError() == ProcessBuilder.Redirect.PIPE) {
        b.redirectErrorStream(true);
      }
      if (b.redirectInput() == ProcessBuilder.Redirect.PIPE) {
        b.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      }
      Process p = b.start();
      boolean done = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        org.mirrordirector.failover.ProcessTree.kill(p.toHandle());
        p.waitFor(10, TimeUnit.SECONDS);
      }
      // bytes that are not UTF-8 become U+FFFD: a tool's odd output never fails the read
      String text = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
      return new RunResult(done ? p.exitValue() : -1, text);
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
