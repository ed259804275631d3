package org.mirrordirector.sync.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.mirrordirector.sync.net.OutboundHttp;

/**
 * The quick check against mirrors that stop, are killed, pause, fail with 5xx and close their
 * connections as servers do, over IPv4 and IPv6. A stop or a kill must be seen through the
 * connection, not by the next check: the checks here are ten minutes apart (the first at a random
 * moment of them, and every wait of the test is at most 30 s), so only the connection can tell.
 */
class ReachCheckTest {
  /** Between scheduled checks: longer than any wait here, so that only a connection can tell. */
  static final Duration MINUTE = Duration.ofMinutes(10);

  /** What a stopped or killed mirror is reported as. */
  static final String GONE =
      "m: ((closed the connection|connection reset), then )?(connection refused|connection reset"
          + " by peer) at .*";

  @TempDir Path dir;

  /** What the check told, in order. */
  static final class Heard implements ReachListener {
    final List<String> lost = new CopyOnWriteArrayList<>();
    final List<String> answered = new CopyOnWriteArrayList<>();

    @Override
    public void lost(String mirror, String reason) {
      lost.add(mirror + ": " + reason);
    }

    @Override
    public void answered(String mirror) {
      answered.add(mirror);
    }
  }

  static void await(String what, BooleanSupplier ok) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never: " + what);
      }
      Thread.sleep(5);
    }
  }

  static ReachCheck check(ReachSettings s, Heard heard) throws Exception {
    return new ReachCheck(s, new HappyEyeballs(), null, heard, 2, "reach-test");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void aStoppedMirrorIsSeenThroughItsConnectionNotAtTheNextCheck(String host) throws Exception {
    Heard heard = new Heard();
    try (RawMirror m = new RawMirror(host);
        ReachCheck c = check(new ReachSettings(MINUTE, Duration.ofMillis(500), MINUTE), heard)) {
      c.watch(Map.of("m", m.url()));
      await("connected", () -> m.connections() == 1);
      m.stop();
      await("lost", () -> !heard.lost.isEmpty());
      // Closed, then refused; or, when the new connection was made as the listener closed, reset
      // (a kernel that completed it ends it), then refused.
      String at = host.contains(":") ? "\\[" + host + "\\]:" + m.port : host + ":" + m.port;
      assertThat(heard.lost.get(0))
          .matches("m: (closed the connection|connection reset), then .*" + at)
          .matches(GONE);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void aKilledMirrorsResetIsSeenAtOnce(String host) throws Exception {
    Heard heard = new Heard();
    try (RawMirror m = new RawMirror(host);
        ReachCheck c = check(new ReachSettings(MINUTE, Duration.ofMillis(500), MINUTE), heard)) {
      c.watch(Map.of("m", m.url()));
      await("connected", () -> m.connections() == 1);
      m.kill();
      await("lost", () -> !heard.lost.isEmpty());
      // Reset, then refused; or reset by the kernel while the first connection was being made.
      assertThat(heard.lost.get(0)).matches(GONE);
      // Back: the next check finds it (and the connection is made again).
      m.start();
    }
  }

  /** A paused mirror, and one whose transfers stall after the headers, over each family. */
  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, pause, m: no answer within 300 ms",
    "::1, pause, m: no answer within 300 ms",
    "127.0.0.1, stall, 'm: a stalled transfer: its headers, then 10 bytes of the body within 300 ms'",
    "::1, stall, 'm: a stalled transfer: its headers, then 10 bytes of the body within 300 ms'"
  })
  void aMirrorThatStopsAnsweringInTimeIsSeenWhenACheckRunsOutAndAnswersAgainAfter(
      String host, String fault, String reason) throws Exception {
    Heard heard = new Heard();
    ReachSettings s =
        new ReachSettings(Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(300));
    try (RawMirror m = new RawMirror(host);
        ReachCheck c = check(s, heard)) {
      c.watch(Map.of("m", m.url()));
      await("two answers", () -> heard.answered.size() >= 2);
      assertThat(m.accepted.get()).as("one connection, kept alive").isEqualTo(1);
      assertThat(heard.lost).isEmpty();
      if (fault.equals("pause")) {
        m.pause();
      } else {
        m.stallBodies();
      }
      await("lost", () -> !heard.lost.isEmpty());
      assertThat(heard.lost.get(0)).isEqualTo(reason);
      int answers = heard.answered.size();
      if (fault.equals("pause")) {
        m.resume();
      } else {
        m.flow();
      }
      await("answers again", () -> heard.answered.size() >= answers + 2);
    }
  }

  @Test
  void randomFaultsAtRandomMomentsAreEachSeenWithTheirReasonAndEachRecoveryAnswered()
      throws Exception {
    long seed = Long.getLong("md.seed", System.nanoTime());
    System.out.println("ReachCheckTest random faults: -Dmd.seed=" + seed);
    java.util.Random r = new java.util.Random(seed);
    Heard heard = new Heard();
    ReachSettings s =
        new ReachSettings(Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(300));
    String host = r.nextBoolean() ? "127.0.0.1" : "::1";
    try (RawMirror m = new RawMirror(host);
        ReachCheck c = check(s, heard)) {
      c.watch(Map.of("m", m.url()));
      await("answers", () -> heard.answered.size() >= 2);
      for (int i = 0; i < 8; i++) {
        Thread.sleep(r.nextInt(400)); // any moment of the check's interval, mid-check included
        int lost = heard.lost.size();
        String fault = List.of("stop", "kill", "pause", "stall", "503").get(r.nextInt(5));
        switch (fault) {
          case "stop" -> m.stop();
          case "kill" -> m.kill();
          case "pause" -> m.pause();
          case "stall" -> m.stallBodies();
          default -> m.status.set(503);
        }
        await(fault + " (seed " + seed + ")", () -> heard.lost.size() > lost);
        assertThat(heard.lost.get(lost))
            .as("%s, seed %d", fault, seed)
            .matches(
                switch (fault) {
                  case "stop", "kill" -> GONE;
                  case "pause" -> "m: no answer within 300 ms";
                  case "stall" ->
                      "m: a stalled transfer: its headers, then 10 bytes of the body within 300 ms";
                  default -> "m: answers HTTP 503";
                });
        switch (fault) {
          case "stop", "kill" -> m.start();
          case "pause" -> m.resume();
          case "stall" -> m.flow();
          default -> m.status.set(200);
        }
        int answered = heard.answered.size();
        await("back after " + fault, () -> heard.answered.size() >= answered + 2);
      }
    }
  }

  @Test
  void aServerErrorIsNotAnAnswerAndOtherStatusesAre() throws Exception {
    Heard heard = new Heard();
    ReachSettings s =
        new ReachSettings(Duration.ofMillis(100), Duration.ofMillis(2000), Duration.ofMillis(2000));
    try (RawMirror m = new RawMirror("127.0.0.1");
        ReachCheck c = check(s, heard)) {
      m.status.set(404); // a mirror that answers: what it answers is the probes' business
      c.watch(Map.of("m", m.url()));
      await("an answer", () -> !heard.answered.isEmpty());
      m.status.set(503);
      await("lost", () -> !heard.lost.isEmpty());
      assertThat(heard.lost.get(0)).isEqualTo("m: answers HTTP 503");
      assertThat(m.accepted.get()).as("a 5xx keeps the connection").isEqualTo(1);
    }
  }

  @Test
  void serversThatEndConnectionsAsServersDoAreNotLost() throws Exception {
    // Jetty ends an idle connection after its idle timeout (here shorter than the interval), and
    // a HEAD that asks for "Connection: close" ... is not ours to send: nginx ends one after its
    // keepalive_requests. Each end is followed by a new connection, never by a lost mirror.
    Heard heard = new Heard();
    ReachSettings s =
        new ReachSettings(Duration.ofMillis(600), Duration.ofMillis(2000), Duration.ofMillis(2000));
    Files.createDirectories(dir.resolve("tree/dists/bookworm"));
    Files.writeString(dir.resolve("tree/dists/bookworm/InRelease"), "x");
    try (TestMirror idle = TestMirror.http(dir.resolve("tree"));
        ReachCheck c = check(s, heard)) {
      idle.idleTimeout(250);
      c.watch(Map.of("idle", URI.create(idle.base() + "dists/bookworm/InRelease")));
      await("five answers", () -> heard.answered.size() >= 5);
      assertThat(heard.lost).isEmpty();
      assertThat(c.connects()).as("a new connection after each idle end").isGreaterThan(2);
    }
  }

  @Test
  void aMirrorThatRefusesFromTheStartAndOneForgottenAreToldApart() throws Exception {
    Heard heard = new Heard();
    try (RawMirror gone = new RawMirror("127.0.0.1");
        RawMirror kept = new RawMirror("127.0.0.1");
        ReachCheck c = check(new ReachSettings(MINUTE, Duration.ofMillis(500), MINUTE), heard)) {
      gone.stop();
      c.watch(Map.of("gone", gone.url(), "kept", kept.url()));
      await("lost", () -> !heard.lost.isEmpty());
      assertThat(heard.lost.get(0)).startsWith("gone: connection refused at 127.0.0.1:");
      await("kept connected", () -> kept.connections() == 1);
      c.watch(Map.of());
      await("its connection closed", () -> kept.connections() == 0);
      kept.stop();
      Thread.sleep(100); // nothing more may come: no event about a forgotten mirror
      assertThat(heard.lost).hasSize(1);
    }
  }

  @Test
  void anHttpsOnlyMirrorIsCheckedThroughTls() throws Exception {
    Path ks = Tls.keyStore(dir);
    Files.createDirectories(dir.resolve("tree/dists/bookworm"));
    Files.writeString(dir.resolve("tree/dists/bookworm/InRelease"), "x");
    Heard heard = new Heard();
    ReachSettings s =
        new ReachSettings(Duration.ofMillis(100), Duration.ofMillis(2000), Duration.ofMillis(2000));
    try (TestMirror m = TestMirror.https(dir.resolve("tree"), ks);
        OutboundHttp http =
            new OutboundHttp(
                "t", new HappyEyeballs(), Duration.ofSeconds(5), Tls.trusting(ks), false, "t");
        ReachCheck c =
            new ReachCheck(s, new HappyEyeballs(), TlsCheck.over(http), heard, 2, "reach-test")) {
      c.watch(Map.of("tls", URI.create(m.base() + "dists/bookworm/InRelease")));
      await("two answers", () -> heard.answered.size() >= 2);
      m.close();
      await("lost", () -> !heard.lost.isEmpty());
      assertThat(heard.lost.get(0)).startsWith("tls: ").contains("refused");
    }
  }
}
