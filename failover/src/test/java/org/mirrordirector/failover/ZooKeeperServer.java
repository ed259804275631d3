package org.mirrordirector.failover;

import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real ZooKeeper server per test ({@link Ensembles#server()}), as a JUnit extension:
 * {@code @RegisterExtension final ZooKeeperServer zk = new ZooKeeperServer();}
 */
final class ZooKeeperServer implements BeforeEachCallback, AfterEachCallback {
  private TestingServer server;

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    server = Ensembles.server();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    server.close();
  }

  String getConnectString() {
    return server.getConnectString();
  }

  int getPort() {
    return server.getPort();
  }

  void stop() throws Exception {
    server.stop();
  }

  void restart() throws Exception {
    server.restart();
  }
}
