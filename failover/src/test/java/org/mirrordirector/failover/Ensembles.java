package org.mirrordirector.failover;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.util.ServiceUtils;

/**
 * Real ZooKeeper servers and ensembles for tests, some of whose servers are killed and restarted.
 * Their ports lie below the kernel's ephemeral range (32768 and up), so that a client socket cannot
 * take a stopped server's port before it comes back; and a server that still fails to start logs
 * the failure instead of calling System.exit, which would end the whole test JVM.
 */
final class Ensembles {
  /**
   * ZooKeeper expires sessions in buckets of one tick, so a session dies between S and S + tick
   * after its last touch: 500 ms keeps failover within S + 1 s (a 2 s tick does not) and still
   * allows sessions of 1 to 10 s.
   */
  static final int TICK_MS = 500;

  private static final Random RANDOM = new Random();
  private static final Set<Integer> TAKEN = new HashSet<>();

  private Ensembles() {}

  static TestingCluster cluster(int servers) throws IOException {
    ServiceUtils.setSystemExitProcedure(ServiceUtils.LOG_ONLY);
    List<InstanceSpec> specs = new ArrayList<>();
    for (int id = 1; id <= servers; id++) {
      specs.add(
          new InstanceSpec(
              Files.createTempDirectory("zk" + id).toFile(),
              port(),
              port(),
              port(),
              true,
              id,
              TICK_MS,
              -1));
    }
    return new TestingCluster(specs);
  }

  /** A started single server, on a port outside the ephemeral range. */
  static org.apache.curator.test.TestingServer server() throws Exception {
    ServiceUtils.setSystemExitProcedure(ServiceUtils.LOG_ONLY);
    InstanceSpec spec =
        new InstanceSpec(
            Files.createTempDirectory("zk").toFile(), port(), port(), port(), true, 1, TICK_MS, -1);
    return new org.apache.curator.test.TestingServer(spec, true);
  }

  /** A free port in 20000-32767, never handed out twice in this JVM. */
  static synchronized int port() throws IOException {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int p = 20000 + RANDOM.nextInt(12768);
      if (TAKEN.contains(p)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        TAKEN.add(p);
        return p;
      } catch (IOException inUse) {
        // try another
      }
    }
    throw new IOException("no free port in 20000-32767");
  }
}
