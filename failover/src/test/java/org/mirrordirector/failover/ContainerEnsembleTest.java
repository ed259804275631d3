package org.mirrordirector.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The same behaviour as {@link EnsembleTest}, against a three-server ensemble of the official
 * ZooKeeper image. Skipped where there is no Docker (as on the project's machines); {@link
 * EnsembleTest} is its twin there, with real in-process servers.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerEnsembleTest {
  static final Duration S = Duration.ofSeconds(4);
  static final String SERVERS =
      "server.1=zk1:2888:3888;2181 server.2=zk2:2888:3888;2181 server.3=zk3:2888:3888;2181";

  static Network network;
  static final List<GenericContainer<?>> servers = new ArrayList<>();

  @BeforeAll
  static void startEnsemble() {
    network = Network.newNetwork();
    for (int i = 1; i <= 3; i++) {
      GenericContainer<?> c =
          new GenericContainer<>("zookeeper:3.9")
              .withNetwork(network)
              .withNetworkAliases("zk" + i)
              .withEnv("ZOO_MY_ID", Integer.toString(i))
              .withEnv("ZOO_SERVERS", SERVERS)
              .withExposedPorts(2181)
              .waitingFor(Wait.forListeningPort());
      servers.add(c);
    }
    servers.parallelStream().forEach(GenericContainer::start);
  }

  @AfterAll
  static void stopEnsemble() {
    servers.forEach(GenericContainer::stop);
    network.close();
  }

  static String connectString() {
    List<String> hosts = new ArrayList<>();
    for (GenericContainer<?> c : servers) {
      if (c.isRunning()) {
        hosts.add(c.getHost() + ":" + c.getMappedPort(2181));
      }
    }
    return String.join(",", hosts);
  }

  @Test
  void aCleanHandoverIsFastAndAServerLossChangesNoLeader() throws Exception {
    try (Node a = new Node("a", connectString(), S).start();
        Node b = new Node("b", connectString(), S)) {
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(30));
      b.start();
      Thread.sleep(500);
      List<String> roles = new CopyOnWriteArrayList<>();
      b.leadership.addListener((from, to, e) -> roles.add("b " + to), Runnable::run);
      long t0 = System.nanoTime();
      a.close();
      b.awaitRole(Role.ACTIVE, Duration.ofSeconds(5));
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(200);
      long epoch = b.leadership.epoch();

      servers.get(0).stop();
      Thread.sleep(S.toMillis() + 2000);
      b.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      assertThat(b.leadership.epoch()).isEqualTo(epoch);
      assertThat(b.leadership.isServingAsLeader()).isTrue();
    }
  }
}
