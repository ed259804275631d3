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
  /** What a run did: its exit code (-1 when it was killed at its limit) and its output. */
  public record Result(int exit, String output) {
    public boolean ok() {
      return exit == 0;
    }
  }

  private BoundedRun() {}

  /** Runs {@code cmd} in {@code dir} (null: this one), its output in a file under {@code tmp}. */
  public static Result run(List<String> cmd, Path dir, Path tmp, Duration limit)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(tmp, "run", ".out");
    try {
      ProcessBuilder b =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      if (dir != null) {
        b.directory(dir.toFile());
      }
      Process p = b.start();
      boolean done = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      return new Result(done ? p.exitValue() : -1, text);
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
