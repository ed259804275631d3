package org.mirrordirector.sync;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a tool and hands each line of its output (stdout and stderr) to a consumer, and never waits
 * on the output past the tool's own end. A tool that forks, as rsync does (a pull runs as two
 * processes, the receiver a child of the generator), can die while its child lives on and holds the
 * pipe: read to its end first, the run would wait for that child, which waits on a peer that no one
 * answers, until rsync's I/O timeout (10 minutes by default). Here the run ends with the tool; a
 * forked copy of it that outlived it (same arguments, started after it) is killed.
 */
final class ProcessLines {
  private ProcessLines() {}

  /** How long the output may still flow after the tool and its copies ended. */
  private static final Duration DRAIN = Duration.ofSeconds(10);

  /**
   * Runs {@code cmd} until it ends, or until {@code limit} when one is given (then it and its
   * children are killed); {@code lines} is called from another thread, never after this returns.
   */
  static ProcessEnding run(
      List<String> cmd, java.util.Optional<Duration> limit, Consumer<String> lines)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    Instant started = p.info().startInstant().orElse(Instant.now().minusSeconds(1));
    Object lock = new Object();
    boolean[] abandoned = {false};
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  synchronized (lock) {
                    if (abandoned[0]) {
                      return;
                    }
                    lines.accept(line);
                  }
                }
              } catch (IOException e) {
                // the pipe was closed under the reader: the run has ended
              }
            },
            "output-of-" + toolName(cmd));
    reader.setDaemon(true);
    reader.start();
    boolean ended = true;
    if (limit.isPresent()) {
      ended = p.waitFor(limit.get().toMillis(), TimeUnit.MILLISECONDS);
    } else {
      p.waitFor();
    }
    if (!ended) {
      org.mirrordirector.failover.ProcessTree.kill(p.toHandle());
      p.waitFor(10, TimeUnit.SECONDS);
    }
    // A copy still running now outlived the tool (rsync's generator waits for its receiver): it
    // may hold the pipe, and it would go on writing where the next run writes. Looked for every
    // time, because the JDK closes a dead tool's pipe on its side when no read is under way, and
    // the reader's end of output then says nothing about the copy.
    List<String> args = cmd.subList(1, cmd.size());
    List<ProcessHandle> copies =
        ProcessHandle.allProcesses()
            .filter(h -> h.pid() != p.pid())
            .filter(h -> copyOf(h, args, started))
            .toList();
    copies.forEach(ProcessHandle::destroyForcibly);
    reader.join(DRAIN.toMillis());
    synchronized (lock) {
      abandoned[0] = true;
    }
    return new ProcessEnding(ended ? p.exitValue() : -1, !ended, !copies.isEmpty());
  }

  private static String toolName(List<String> cmd) {
    String tool = cmd.get(0);
    return tool.substring(tool.lastIndexOf('/') + 1);
  }

  /** A process that runs the same arguments and started with the tool or after it. */
  private static boolean copyOf(ProcessHandle h, List<String> args, Instant started) {
    ProcessHandle.Info info = h.info();
    return info.arguments().map(a -> Arrays.asList(a).equals(args)).orElse(false)
        && info.startInstant().map(s -> !s.isBefore(started)).orElse(false);
  }
}
