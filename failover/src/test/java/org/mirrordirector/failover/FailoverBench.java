package org.mirrordirector.failover;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;

/**
 * Benchmark (not a test): detection and promotion times of the standby for a clean handover, a
 * killed leader process and a paused one, over N rounds each. Detection is the moment the latch
 * elects the standby; promotion the moment it is ACTIVE with a new epoch; both from the fault. Run
 * by ops/bench/failover-bench.sh.
 */
public final class FailoverBench {
  private FailoverBench() {}

  record Round(double detectMs, double promoteMs, double rejoinMs) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Duration s = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 4000);
    try (TestingServer zk = Ensembles.server()) {
      System.out.printf(
          Locale.ROOT, "session timeout S = %d ms, %d rounds per case%n", s.toMillis(), rounds);
      report("clean handover (leader closes its latch)", handover(zk, s, rounds));
      report("leader process killed (SIGKILL)", kill(zk, s, rounds));
      report("leader process paused (SIGSTOP for S + 1 s, then SIGCONT)", pause(zk, s, rounds));
    }
  }

  static List<Round> handover(TestingServer zk, Duration s, int rounds) throws Exception {
    List<Round> out = new ArrayList<>();
    Node leader = new Node("n0", zk.getConnectString(), s).start();
    leader.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
    for (int i = 1; i <= rounds; i++) {
      Node standby = new Node("n" + i, zk.getConnectString(), s).start();
      Thread.sleep(300);
      long t0 = System.nanoTime();
      leader.close();
      standby.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      out.add(
          new Round(
              ms(standby.leadership.electedAtNanos() - t0),
              ms(standby.leadership.activeAtNanos() - t0),
              0));
      leader = standby;
    }
    leader.close();
    return out;
  }

  static List<Round> kill(TestingServer zk, Duration s, int rounds) throws Exception {
    List<Round> out = new ArrayList<>();
    try (Node standby = new Node("standby", zk.getConnectString(), s)) {
      for (int i = 1; i <= rounds; i++) {
        try (ChildNode leader = new ChildNode("p" + i, zk.getConnectString(), s)) {
          // The new process is in the election before the standby hands back (or first starts).
          Thread.sleep(300);
          if (i == 1) {
            await(leader, "ROLE STANDBY ACTIVE");
            standby.start();
          } else {
            standby.leadership.relinquish();
            await(leader, "ROLE STANDBY ACTIVE");
          }
          standby.awaitRole(Role.STANDBY, Duration.ofSeconds(10));
          Thread.sleep(1500); // past the standby's rejoin backoff: it is back in line
          long t0 = System.nanoTime();
          leader.signal("KILL");
          standby.awaitRole(Role.ACTIVE, s.plusSeconds(5));
          out.add(
              new Round(
                  ms(standby.leadership.electedAtNanos() - t0),
                  ms(standby.leadership.activeAtNanos() - t0),
                  0));
        }
      }
    }
    return out;
  }

  static List<Round> pause(TestingServer zk, Duration s, int rounds) throws Exception {
    List<Round> out = new ArrayList<>();
    try (ChildNode leader = new ChildNode("p", zk.getConnectString(), s);
        Node standby = new Node("standby", zk.getConnectString(), s)) {
      await(leader, "ROLE STANDBY ACTIVE");
      standby.start();
      for (int i = 1; i <= rounds; i++) {
        standby.awaitRole(Role.STANDBY, Duration.ofSeconds(10));
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!leader.status(Duration.ofSeconds(2))[0].equals("ACTIVE")) {
          if (System.nanoTime() > until) {
            throw new IllegalStateException("the process did not lead again");
          }
          Thread.sleep(50);
        }
        Thread.sleep(300);
        long t0 = System.nanoTime();
        leader.signal("STOP");
        standby.awaitRole(Role.ACTIVE, s.plusSeconds(5));
        Round r =
            new Round(
                ms(standby.leadership.electedAtNanos() - t0),
                ms(standby.leadership.activeAtNanos() - t0),
                0);
        Thread.sleep(Math.max(0, s.toMillis() + 1000 - (long) r.promoteMs()));
        long resumed = System.nanoTime();
        leader.signal("CONT");
        while (!leader.status(Duration.ofSeconds(5))[0].equals("STANDBY")) {
          Thread.sleep(5);
        }
        out.add(new Round(r.detectMs(), r.promoteMs(), ms(System.nanoTime() - resumed)));
        Thread.sleep(1500); // past the process's rejoin backoff: it is back in line
        standby.leadership.relinquish();
      }
    }
    return out;
  }

  private static void await(ChildNode c, String event) throws InterruptedException {
    if (c.awaitEvent(event, Duration.ofSeconds(20)) == null) {
      throw new IllegalStateException(c.id + " never said " + event);
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static void report(String name, List<Round> rounds) {
    System.out.println("== " + name + ", " + rounds.size() + " rounds");
    System.out.println("   detection ms: " + stats(rounds.stream().map(Round::detectMs).toList()));
    System.out.println("   promotion ms: " + stats(rounds.stream().map(Round::promoteMs).toList()));
    if (rounds.get(0).rejoinMs() > 0) {
      System.out.println(
          "   old leader back to STANDBY after SIGCONT, ms: "
              + stats(rounds.stream().map(Round::rejoinMs).toList()));
    }
  }

  private static String stats(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    return String.format(
        Locale.ROOT,
        "min %.1f, median %.1f, max %.1f",
        s.get(0),
        s.get(s.size() / 2),
        s.get(s.size() - 1));
  }

  static long elapsed(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }
}
