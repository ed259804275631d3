package org.mirrordirector.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Random faults against two node processes over a three-server ensemble, sampled every 100 ms: two
 * nodes must never both serve as leader (ACTIVE with a fresh ZooKeeper contact) at once. Bounded:
 * {@code -Dmd.faultloop.seconds=N} (default 60) and a fixed, logged seed ({@code
 * -Dmd.faultloop.seed}) so that a failure can be replayed.
 */
class FaultLoopTest {
  private static final Logger LOG = LoggerFactory.getLogger(FaultLoopTest.class);
  static final Duration S = Duration.ofSeconds(4);

  /** One node process and the proxies that are its only way to the ensemble. */
  static final class Member implements AutoCloseable {
    final String id;
    final List<TcpProxy> proxies = new ArrayList<>();
    volatile ChildNode child;

    Member(String id, TestingCluster cluster) throws Exception {
      this.id = id;
      for (InstanceSpec i : cluster.getInstances()) {
        proxies.add(new TcpProxy(i.getPort()));
      }
      child = new ChildNode(id, connectString(), S);
    }

    String connectString() {
      return String.join(",", proxies.stream().map(TcpProxy::connectString).toList());
    }

    void cut() {
      proxies.forEach(TcpProxy::cut);
    }

    void restore() {
      proxies.forEach(TcpProxy::restore);
    }

    volatile String lastStatus = "";

    /** STATUS as seen now; a paused or dead process serves nobody. */
    boolean serving() throws InterruptedException {
      ChildNode c = child;
      String[] st = c.process.isAlive() ? c.status(Duration.ofMillis(80)) : null;
      lastStatus = st == null ? "no answer" : String.join(" ", st);
      return st != null && st[0].equals("ACTIVE") && st[2].equals("true");
    }

    @Override
    public void close() throws Exception {
      child.close();
      proxies.forEach(TcpProxy::close);
    }
  }

  @Test
  void twoNodesNeverServeAsLeaderAtTheSameTime() throws Exception {
    long seconds = Long.getLong("md.faultloop.seconds", 60);
    long seed = Long.getLong("md.faultloop.seed", System.nanoTime());
    LOG.info("fault loop: {} s, seed {}", seconds, seed);
    Random rnd = new Random(seed);
    AtomicInteger samples = new AtomicInteger();
    AtomicInteger bothServing = new AtomicInteger();
    AtomicInteger oneServing = new AtomicInteger();
    List<String> faults = new ArrayList<>();
    try (TestingCluster cluster = Ensembles.cluster(3)) {
      cluster.start();
      try (Member a = new Member("a", cluster);
          Member b = new Member("b", cluster)) {
        List<Member> members = List.of(a, b);
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService sampler = Executors.newSingleThreadExecutor();
        Future<?> sampling =
            sampler.submit(
                () -> {
                  while (running.get()) {
                    long t0 = System.nanoTime();
                    try {
                      boolean sa = a.serving();
                      boolean sb = b.serving();
                      samples.incrementAndGet();
                      if (sa && sb) {
                        bothServing.incrementAndGet();
                        LOG.error(
                            "VIOLATION: both nodes serve as leader: a [{}], b [{}]",
                            a.lastStatus,
                            b.lastStatus);
                      } else if (sa || sb) {
                        oneServing.incrementAndGet();
                      }
                      long left = 100 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                      if (left > 0) {
                        Thread.sleep(left);
                      }
                    } catch (InterruptedException e) {
                      return null;
                    }
                  }
                  return null;
                });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
          Member m = members.get(rnd.nextInt(2));
          int kind = rnd.nextInt(6);
          long hold = (long) (S.toMillis() * (0.3 + rnd.nextDouble() * 1.7));
          String fault;
          switch (kind) {
            case 0 -> {
              fault = "pause " + m.id + " " + hold + " ms";
              m.child.signal("STOP");
              Thread.sleep(hold);
              m.child.signal("CONT");
            }
            case 1 -> {
              fault = "cut " + m.id + " from ZooKeeper " + hold + " ms";
              m.cut();
              Thread.sleep(hold);
              m.restore();
            }
            case 2 -> {
              fault = "kill -9 " + m.id + " and restart it";
              m.child.signal("KILL");
              m.child.process.waitFor(5, TimeUnit.SECONDS);
              Thread.sleep(500);
              m.child = new ChildNode(m.id, m.connectString(), S);
            }
            case 3 -> {
              InstanceSpec server = cluster.getInstances().stream().toList().get(rnd.nextInt(3));
              fault = "restart ZooKeeper server " + server.getServerId();
              cluster.killServer(server);
              Thread.sleep(hold / 2);
              cluster.restartServer(server);
            }
            case 4 -> {
              // A session expires in production only by silence: cut the node for longer than S.
              // (Closing it on the server with its id and password, as LeadershipTest does to
              // check recovery, is a kill with the leader's credentials, not an expiry: no lease
              // can cover a session ended while in contact; fencing still protects its writes.)
              long silence = S.toMillis() + 1000 + rnd.nextInt(1000);
              fault = "expire the session of " + m.id + " by " + silence + " ms of silence";
              m.cut();
              Thread.sleep(silence);
              m.restore();
            }
            default -> {
              fault = "relinquish " + m.id;
              m.child.ask("RELINQUISH", Duration.ofSeconds(2));
            }
          }
          faults.add(fault);
          LOG.info("fault: {}", fault);
          Thread.sleep(500 + rnd.nextInt(2000));
        }
        // Healed: within a while exactly one node serves again.
        long heal = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!(a.serving() ^ b.serving()) && System.nanoTime() < heal) {
          Thread.sleep(100);
        }
        assertThat(a.serving() ^ b.serving())
            .as("exactly one leader after the faults, seed " + seed)
            .isTrue();
        running.set(false);
        sampling.get(10, TimeUnit.SECONDS);
        sampler.shutdownNow();
      }
    }
    LOG.info(
        "fault loop: {} faults, {} samples, {} with one leader, {} with two; seed {}",
        faults.size(),
        samples.get(),
        oneServing.get(),
        bothServing.get(),
        seed);
    assertThat(samples.get()).isGreaterThan((int) (seconds * 5));
    assertThat(oneServing.get()).as("the loop must also see a leader serving").isGreaterThan(0);
    assertThat(bothServing.get())
        .as("samples with two leaders serving, seed " + seed + ", faults " + faults)
        .isZero();
  }

  @Test
  void theSamplerSeesTwoLeadersWhenThereAreTwo() throws Exception {
    // Two nodes under different roots lead separate "clusters": the check must catch that.
    try (TestingCluster cluster = Ensembles.cluster(1)) {
      cluster.start();
      try (ChildNode x = new ChildNode("x", cluster.getConnectString(), S, "/split-x");
          ChildNode y = new ChildNode("y", cluster.getConnectString(), S, "/split-y")) {
        x.awaitEvent("ROLE STANDBY ACTIVE", Duration.ofSeconds(15));
        y.awaitEvent("ROLE STANDBY ACTIVE", Duration.ofSeconds(15));
        int both = 0;
        for (int i = 0; i < 10; i++) {
          String[] sx = x.status(Duration.ofMillis(80));
          String[] sy = y.status(Duration.ofMillis(80));
          if (sx[0].equals("ACTIVE")
              && sx[2].equals("true")
              && sy[0].equals("ACTIVE")
              && sy[2].equals("true")) {
            both++;
          }
          Thread.sleep(100);
        }
        assertThat(both).isEqualTo(10);
      }
    }
  }
}
