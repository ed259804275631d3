package org.mirrordirector.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandHookTest {
  @TempDir Path dir;

  @Test
  void passesTheEpochNodeAndRoleInTheEnvironment() throws Exception {
    Path out = dir.resolve("env");
    int code =
        CommandHook.run(
            List.of("sh", "-c", "echo $MD_NODE $MD_ROLE $MD_EPOCH > " + out),
            "n1",
            "ACTIVE",
            42,
            Duration.ofSeconds(5));
    assertThat(code).isZero();
    assertThat(Files.readString(out)).isEqualTo("n1 ACTIVE 42\n");
  }

  @Test
  void killsAHookThatRunsPastItsTimeout() {
    long t0 = System.nanoTime();
    int code = CommandHook.run(List.of("sleep", "30"), "n1", "STANDBY", 3, Duration.ofMillis(300));
    assertThat(code).isEqualTo(-1);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void reportsAHookThatCannotRunOrFails() {
    assertThat(
            CommandHook.run(
                List.of(dir.resolve("missing").toString()),
                "n1",
                "ACTIVE",
                1,
                Duration.ofSeconds(1)))
        .isEqualTo(-1);
    assertThat(
            CommandHook.run(
                List.of("sh", "-c", "exit 3"), "n1", "ACTIVE", 1, Duration.ofSeconds(5)))
        .isEqualTo(3);
  }
}
