package org.mirrordirector.ops.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * A single ZooKeeper server inside the node's process: the single-machine default when no ensemble
 * is configured. Its data survives restarts. It is no failover: with it, the node that hosts it is
 * the registry; production runs an ensemble of 3 or 5.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
  private final ZooKeeperServer server;
  private final ServerCnxnFactory factory;

  /**
   * @param sessionTimeout the sessions clients ask for: the tick is chosen so that it is allowed
   */
  public EmbeddedZooKeeper(Path dataDir, String host, int port, Duration sessionTimeout)
      throws IOException, InterruptedException {
    Files.createDirectories(dataDir);
    // ZooKeeper allows sessions of 2 to 20 ticks; the client's timeout must be inside.
    int tick = (int) Math.max(100, Math.min(2000, sessionTimeout.toMillis() / 2));
    server = new ZooKeeperServer(dataDir.toFile(), dataDir.toFile(), tick);
    server.setMaxSessionTimeout((int) Math.max(20L * tick, sessionTimeout.toMillis() * 4));
    factory = ServerCnxnFactory.createFactory(new InetSocketAddress(host, port), 1000);
    try {
      factory.startup(server);
    } catch (IOException | InterruptedException | RuntimeException | LinkageError e) {
      factory.shutdown();
      throw new IOException(
          "the embedded ZooKeeper cannot listen on " + host + ":" + port + ": " + e.getMessage(),
          e);
    }
  }

  public String connectString() {
    InetSocketAddress a = factory.getLocalAddress();
    String h = a.getHostString();
    return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
  }

  public int port() {
    return factory.getLocalPort();
  }

  @Override
  public void close() {
    factory.shutdown();
    server.shutdown();
  }
}
