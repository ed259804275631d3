package org.mirrordirector.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A script killed for its time takes no further step: killed child first, it ran its next command
 * (an {@code echo}) in the moment before its own kill (fresh clone run 23, {@code
 * ProcessLinesTest}). That moment is too short to catch on a quiet machine, so the order of the
 * kills is checked too, on handles that record it.
 */
class ProcessTreeTest {
  @TempDir Path dir;

  @Test
  void theScriptIsKilledBeforeItsChildSoItTakesNoNextStep() throws Exception {
    for (int i = 0; i < 30; i++) {
      Path marker = dir.resolve("next-step-" + i);
      String mark = "300." + i;
      Process p =
          new ProcessBuilder(
                  "bash", "-c", "sleep " + mark + "; echo ran > \"$1\"", "s", marker.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (p.descendants().findAny().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      ProcessHandle sleep = p.descendants().findFirst().orElseThrow();
      ProcessTree.kill(p.toHandle());
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("the script ended").isTrue();
      sleep.onExit().get(10, TimeUnit.SECONDS);
      assertThat(marker).as("round %d: the script's next step", i).doesNotExist();
    }
  }

  @Test
  void aProcessWithoutChildrenIsKilled() throws Exception {
    Process p = new ProcessBuilder("sleep", "300").start();
    ProcessTree.kill(p.toHandle());
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
  }

  /** A process handle that records its kill in a shared list; its children as given. */
  private record Recorded(long pid, List<ProcessHandle> kids, List<Long> killed)
      implements ProcessHandle {
    @Override
    public Optional<ProcessHandle> parent() {
      return Optional.empty();
    }

    @Override
    public Stream<ProcessHandle> children() {
      return kids.stream();
    }

    @Override
    public Stream<ProcessHandle> descendants() {
      return kids.stream().flatMap(k -> Stream.concat(Stream.of(k), k.descendants()));
    }

    @Override
    public Info info() {
      return ProcessHandle.current().info();
    }

    @Override
    public CompletableFuture<ProcessHandle> onExit() {
      return new CompletableFuture<>();
    }

    @Override
    public boolean supportsNormalTermination() {
      return true;
    }

    @Override
    public boolean destroy() {
      return destroyForcibly();
    }

    @Override
    public boolean destroyForcibly() {
      killed.add(pid);
      return true;
    }

    @Override
    public boolean isAlive() {
      return !killed.contains(pid);
    }

    @Override
    public int compareTo(ProcessHandle other) {
      return Long.compare(pid, other.pid());
    }
  }

  @Test
  void theRootIsKilledFirstThenEverythingBelowIt() {
    List<Long> killed = new ArrayList<>();
    Recorded grandchild = new Recorded(3, List.of(), killed);
    Recorded child = new Recorded(2, List.of(grandchild), killed);
    Recorded other = new Recorded(4, List.of(), killed);
    ProcessTree.kill(new Recorded(1, List.of(child, other), killed));
    assertThat(killed).first().isEqualTo(1L);
    assertThat(killed).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
  }
}
