package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tool that dies while a process it forked lives on and holds its output: the run ends with the
 * tool (the copy is killed), not when the copy ends. Found when a test killed the rsync generator
 * of a pull and the sync waited on the receiver, which waited on the daemon, for rsync's 10-minute
 * I/O timeout.
 */
class ProcessLinesTest {
  @TempDir Path dir;

  /**
   * The run, on a thread of its own: a run that waits for the copy fails here, not in 5 minutes.
   */
  private static <T> T within(Duration limit, java.util.concurrent.Callable<T> run)
      throws Exception {
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<T> f = ex.submit(run);
      try {
        return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("the run did not end with its tool within " + limit, e);
      }
    } finally {
      ex.shutdownNow();
    }
  }

  /**
   * Every process with {@code argument} among its arguments ends within 10 s: killed already, it is
   * gone once its new parent has reaped it.
   */
  private static void awaitGone(String argument) throws Exception {
    for (ProcessHandle h :
        ProcessHandle.allProcesses()
            .filter(p -> p.info().arguments().map(a -> List.of(a).contains(argument)).orElse(false))
            .toList()) {
      h.onExit().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aForkedCopyThatOutlivesTheToolIsKilledAndTheRunEndsWithTheTool() throws Exception {
    Path fifo = dir.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    // The subshell is a fork of this bash (same arguments) that holds stdout and waits in a
    // builtin for 5 minutes; the tool itself says a line and exits 3.
    String script =
        "( for i in $(seq 300); do read -r -t 1 _ <> \"$1\" || true; done ) &"
            + " echo started; exit 3";
    List<String> cmd = List.of("bash", "-c", script, "tool", fifo.toString());
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    long t0 = System.nanoTime();
    ProcessEnding end =
        within(Duration.ofSeconds(60), () -> ProcessLines.run(cmd, Optional.empty(), lines::add));
    assertThat(end.exitCode()).isEqualTo(3);
    assertThat(end.timedOut()).isFalse();
    assertThat(end.orphansKilled()).as("the copy was found and killed").isTrue();
    assertThat(lines).containsExactly("started");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
    awaitGone(script);
  }

  @Test
  void aToolPastItsLimitIsKilledWithItsChildren() throws Exception {
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    String mark = "300." + System.nanoTime() % 1000;
    ProcessEnding end =
        within(
            Duration.ofSeconds(60),
            () ->
                ProcessLines.run(
                    List.of("bash", "-c", "echo going; sleep " + mark + "; echo never"),
                    Optional.of(Duration.ofSeconds(2)),
                    lines::add));
    assertThat(end.timedOut()).isTrue();
    assertThat(end.exitCode()).isEqualTo(-1);
    assertThat(lines).doesNotContain("never");
    awaitGone(mark);
  }

  @Test
  void rsyncWhoseGeneratorIsKilledDuringAPullFailsAtOnce() throws Exception {
    Path module = Files.createDirectories(dir.resolve("module"));
    byte[] data = new byte[20 << 20];
    new Random(7).nextBytes(data);
    Files.write(module.resolve("big.bin"), data);
    try (RsyncDaemon daemon = new RsyncDaemon(dir.resolve("daemon"), module)) {
      Rsync rsync = new Rsync("rsync", Duration.ofMinutes(10));
      Path into = Files.createDirectories(dir.resolve("into"));
      ExecutorService ex = Executors.newSingleThreadExecutor();
      try {
        // 20 MiB at 100 KiB/s: 200 s, unless the kill ends it.
        Future<RsyncRun> run =
            ex.submit(() -> rsync.run(List.of("-r", "--bwlimit=100", daemon.url(), into + "/")));
        // The pull runs as two processes: the generator (the JVM's child) and the receiver (its
        // child). Only the generator is killed; the receiver lives on, waiting on the daemon.
        ProcessHandle generator = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (generator == null && System.nanoTime() < deadline) {
          generator =
              ProcessHandle.current()
                  .children()
                  .filter(h -> h.info().command().map(c -> c.endsWith("rsync")).orElse(false))
                  .filter(
                      h ->
                          h.info()
                              .arguments()
                              .map(a -> List.of(a).contains("--bwlimit=100"))
                              .orElse(false))
                  .filter(h -> h.children().findAny().isPresent())
                  .findFirst()
                  .orElse(null);
          Thread.sleep(20);
        }
        assertThat(generator).as("the pull's generator, with its receiver").isNotNull();
        ProcessHandle receiver = generator.children().findFirst().orElseThrow();
        generator.destroyForcibly();
        RsyncRun r;
        try {
          r = run.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          receiver.destroyForcibly();
          throw new AssertionError("the run waited for the receiver after its generator died", e);
        }
        assertThat(r.ok()).as(r.describe()).isFalse();
        assertThat(r.describe()).contains("a process it forked lived on");
        // killed already; gone once its new parent has reaped it
        receiver.onExit().get(10, TimeUnit.SECONDS);
      } finally {
        ex.shutdownNow();
      }
    }
  }
}
