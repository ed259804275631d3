package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The benchmark scripts' CPU accounting ({@code ops/bench/rounds.sh}), with stand-ins for wrk and a
 * server: a load generator that keeps its core busy is marked as the limit and its CPU read near
 * 1.00; a server that worked for about a second is charged about a second; the requests counted are
 * wrk's; one that idles is not marked.
 */
class BenchRoundsTest {
  private static String run(String script) throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    assertThat(root.resolve("ops/bench/rounds.sh")).exists();
    Process p =
        new ProcessBuilder("bash", "-c", script)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static final String WRK_OUTPUT =
      "printf '  200000 requests in 1.00s, 10.00MB read\\nRequests/sec: 200000.00\\n'";

  @Test
  void aBusyLoadGeneratorIsMarkedAndTheServerIsChargedWhatItUsed() throws Exception {
    // Two rounds, so that the busy one never competes with the other for a core (on two cores
    // with the test's own JVM running, a busy load generator beside a busy server got 0.42-0.9 of
    // a core): a busy load generator and an idle server, then an idle one and a busy server.
    String out =
        run(
            ". ops/bench/rounds.sh\n"
                + "busy() { local end=$((SECONDS + 2)); while [ $SECONDS -lt $end ]; do :; done; }\n"
                + "fakewrk() { busy; "
                + WRK_OUTPUT
                + "; }\n"
                + "idlewrk() { sleep 2; "
                + WRK_OUTPUT
                + "; }\n"
                + "sleep 20 & idle=$!\n"
                + "wrk_round \"$idle\" fakewrk\n"
                + "kill $idle\n"
                + "echo \"$ROUND_RPS $ROUND_REQS $ROUND_WRK_CPU $ROUND_BOUND\"\n"
                + "bash -c 'end=$((SECONDS + 2)); while [ $SECONDS -lt $end ]; do :; done; sleep 20' &\n"
                + "server=$!\n"
                + "wrk_round \"$server\" idlewrk\n"
                + "kill $server\n"
                + "echo \"$ROUND_SRV_CPU $ROUND_US $ROUND_BOUND\"");
    List<String> lines = out.lines().toList();
    assertThat(lines).as(out).hasSize(2);
    String[] f = lines.get(0).split("\\s+");
    assertThat(f).as(out).hasSize(4);
    assertThat(f[0]).isEqualTo("200000.00");
    assertThat(f[1]).isEqualTo("200000");
    assertThat(Double.parseDouble(f[2])).as("wrk's CPU").isGreaterThan(0.9);
    assertThat(f[3]).as("wrk was the limit").isEqualTo("1");
    String[] g = lines.get(1).split("\\s+");
    assertThat(g).as(out).hasSize(3);
    assertThat(Double.parseDouble(g[0])).as("the server's cores").isBetween(0.3, 1.2);
    // About 1-2 s of CPU over 200,000 requests: 5-10 us each.
    assertThat(Double.parseDouble(g[1])).as("us per request").isBetween(2.0, 12.0);
    assertThat(g[2]).as("an idle wrk was not the limit").isEqualTo("0");
  }

  @Test
  void anIdleLoadGeneratorIsNotTheLimit() throws Exception {
    String out =
        run(
            ". ops/bench/rounds.sh\n"
                + "fakewrk() { sleep 1; "
                + WRK_OUTPUT
                + "; }\n"
                + "sleep 20 & server=$!\n"
                + "wrk_round \"$server\" fakewrk\n"
                + "kill $server\n"
                + "echo \"$ROUND_WRK_CPU $ROUND_BOUND\"\n"
                + "printf '3\\n1\\n2\\n' | median; printf '3\\n1\\n2\\n' | range");
    List<String> lines = out.lines().toList();
    assertThat(lines).as(out).hasSize(3);
    String[] f = lines.get(0).split("\\s+");
    assertThat(f).as(out).hasSize(2);
    // A sleeping wrk uses next to no CPU: 0.00 or 0.01 of a core, as the machine prints it (its
    // printing costs something too); never near the limit, so never called the limit.
    assertThat(Double.parseDouble(f[0])).as("an idle wrk's CPU").isLessThan(0.1);
    assertThat(f[1]).as("an idle wrk was not the limit").isEqualTo("0");
    assertThat(lines.subList(1, 3)).containsExactly("2", "1-3");
  }

  @Test
  void wrksLatencyPercentilesAreReadInMilliseconds() throws Exception {
    // What wrk 4.1 prints with --latency, in each of its units.
    String latency =
        "  Latency Distribution\n"
            + "     50%  950.00us\n"
            + "     75%  135.20ms\n"
            + "     90%    1.20s\n"
            + "     99%    2.00m\n";
    String out =
        run(
            ". ops/bench/rounds.sh\n"
                + "lat=\"$(printf '"
                + latency.replace("%", "%%")
                + "')\"\n"
                + "for p in 50% 75% 90% 99%; do echo \"$lat\" | pct $p | ms; echo; done");
    assertThat(out.lines().toList()).as(out).containsExactly("0.9", "135.2", "1200.0", "120000.0");
  }

  @Test
  void theDirectorBenchSourcesIt() throws Exception {
    String bench =
        Files.readString(
            Path.of("..").toAbsolutePath().normalize().resolve("ops/bench/director-bench.sh"));
    assertThat(bench).contains(". ops/bench/rounds.sh").contains("wrk_round ");
  }
}
