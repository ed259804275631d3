package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RunResult;

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
    List<String> cmd = List.of("bash", "-c", script);
    RunResult r = BoundedRun.run(cmd, root, java.time.Duration.ofSeconds(90));
    assertThat(r.exit()).as(r.describe(cmd)).isZero();
    return r.output().strip();
  }

  private static final String WRK_OUTPUT =
      "printf '  200000 requests in 1.00s, 10.00MB read\\nRequests/sec: 200000.00\\n'";

  // burn N: uses N seconds of this shell's own CPU (user + system, from /proc), however long that
  // takes on a busy machine; so what a stand-in used is known exactly, not the machine's speed.
  private static final String BURN =
      "burn() { local hz s t0 t; hz=$(getconf CLK_TCK); s=($(< /proc/$BASHPID/stat));"
          + " t0=$((s[13] + s[14])); t=$t0;"
          + " while [ $((t - t0)) -lt $(($1 * hz)) ]; do s=($(< /proc/$BASHPID/stat));"
          + " t=$((s[13] + s[14])); done; }\n";

  @Test
  void aBusyLoadGeneratorIsMarkedAndTheServerIsChargedWhatItUsed() throws Exception {
    // Two rounds, so that the busy one never competes with the other for a core: a busy load
    // generator and an idle server, then an idle one and a busy server. How much of a core the
    // busy one gets is the machine's load (0.64 here while a build ran beside the test), so the
    // test asks for the accounting and the rule, not for a figure: wrk's CPU is the share of a
    // core it used, the round is marked exactly when that share reaches WRK_BOUND, and a server
    // that used 1 s of CPU is charged 1 s.
    String out =
        run(
            ". ops/bench/rounds.sh\n"
                + BURN
                + "fakewrk() { burn 2; "
                + WRK_OUTPUT
                + "; }\n"
                + "idlewrk() { sleep 2; "
                + WRK_OUTPUT
                + "; }\n"
                + "sleep 60 & idle=$!\n"
                + "wrk_round \"$idle\" fakewrk\n"
                + "kill $idle\n"
                + "echo \"$ROUND_RPS $ROUND_REQS $ROUND_WRK_CPU $ROUND_BOUND\"\n"
                + "WRK_BOUND=0; wrk_round \"$$\" idlewrk; echo \"$ROUND_BOUND\"\n"
                + "WRK_BOUND=1.5; wrk_round \"$$\" fakewrk; echo \"$ROUND_BOUND\"\n"
                + "WRK_BOUND=0.95\n"
                // The server burns its second only once the round has read its CPU: it says it
                // is ready, then waits on a pipe that the round's wrk opens. Started free, it had
                // burned 30 ms before the round began on a busy machine, and was charged 0.97 s.
                + "d=$(mktemp -d); mkfifo \"$d/go\"\n"
                + "bash -c '"
                + BURN.replace("\n", ";")
                + " : > \"$1/ready\"; read -r _ < \"$1/go\"; burn 1; sleep 60' server \"$d\" &\n"
                + "server=$!\n"
                + "while [ ! -e \"$d/ready\" ]; do sleep 0.05; done\n"
                + "gowrk() { echo go > \"$d/go\"; sleep 2; "
                + WRK_OUTPUT
                + "; }\n"
                + "wrk_round \"$server\" gowrk\n"
                + "kill $server; rm -r \"$d\"\n"
                + "echo \"$ROUND_SRV_CPU $ROUND_US $ROUND_BOUND\"");
    List<String> lines = out.lines().toList();
    assertThat(lines).as(out).hasSize(4);
    String[] f = lines.get(0).split("\\s+");
    assertThat(f).as(out).hasSize(4);
    assertThat(f[0]).isEqualTo("200000.00");
    assertThat(f[1]).isEqualTo("200000");
    double wrkCpu = Double.parseDouble(f[2]);
    assertThat(wrkCpu).as("wrk's CPU: a share of its one core").isGreaterThan(0.0).isLessThan(1.05);
    assertThat(f[3])
        .as("marked the limit exactly when its CPU (%s) reached 0.95", f[2])
        .isEqualTo(wrkCpu >= 0.95 ? "1" : "0");
    assertThat(lines.get(1)).as("any round is the limit at a bound of 0").isEqualTo("1");
    assertThat(lines.get(2)).as("no one-thread round reaches a bound of 1.5").isEqualTo("0");
    String[] g = lines.get(3).split("\\s+");
    assertThat(g).as(out).hasSize(3);
    assertThat(Double.parseDouble(g[0]))
        .as(
            "the server's cores during the round (it used 1 s within the 2 s, or less of it on a"
                + " busy machine)")
        .isGreaterThan(0.0)
        .isLessThanOrEqualTo(0.55);
    // 1 s of CPU, counted until the server settled, over 200,000 requests: 5 us each (the clock
    // ticks are 10 ms: 4.9-5.2).
    assertThat(Double.parseDouble(g[1])).as("us per request").isBetween(4.9, 5.3);
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
