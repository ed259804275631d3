package org.mirrordirector.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The demo's waits say why a part is not ready, and do not wait for a process that has died. */
class DemoReadinessTest {
  @TempDir Path dir;

  @Test
  @Timeout(60)
  void aNodeThatExitsBeforeItAnswersFailsAtOnceQuotingItsLog() throws Exception {
    Path log = dir.resolve("node-a.log");
    Files.writeString(log, "starting\njava.net.BindException: Address already in use\n");
    Process exited = new ProcessBuilder("sh", "-c", "exit 3").start();
    exited.waitFor();
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () ->
                DemoReadiness.awaitHttp(
                    "http://127.0.0.1:" + closedPort() + "/leader",
                    200,
                    Duration.ofSeconds(50),
                    exited,
                    log))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exited (3) before it answered 200")
        .hasMessageContaining("BindException: Address already in use");
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .as("not the whole wait")
        .isLessThan(Duration.ofSeconds(40));
  }

  @Test
  @Timeout(60)
  void aNodeThatNeverAnswersTimesOutQuotingItsLog() throws Exception {
    Path log = dir.resolve("node-b.log");
    Files.writeString(log, "waiting for ZooKeeper at 127.0.0.1:2181\n");
    Process running = new ProcessBuilder("sleep", "30").start();
    try {
      assertThatThrownBy(
              () ->
                  DemoReadiness.awaitHttp(
                      "http://127.0.0.1:" + closedPort() + "/leader",
                      200,
                      Duration.ofMillis(600),
                      running,
                      log))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("did not answer 200 in time (last: -1)")
          .hasMessageContaining("waiting for ZooKeeper at 127.0.0.1:2181");
    } finally {
      running.destroyForcibly();
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
