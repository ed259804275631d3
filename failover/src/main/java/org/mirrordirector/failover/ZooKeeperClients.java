package org.mirrordirector.failover;

import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** Builds the ZooKeeper client every node uses, with the timeouts of its leadership config. */
public final class ZooKeeperClients {
  private ZooKeeperClients() {}

  /**
   * A started client (it connects in the background). The default connection-state error policy is
   * kept on purpose: SUSPENDED is what makes a leader step back to NEUTRAL in time.
   */
  public static CuratorFramework start(String connectString, LeadershipConfig config) {
    if (connectString == null || connectString.isBlank()) {
      throw new IllegalArgumentException("ZooKeeper connect string is empty");
    }
    CuratorFramework c =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs((int) config.sessionTimeout().toMillis())
            .connectionTimeoutMs((int) config.connectionTimeout().toMillis())
            .retryPolicy(new ExponentialBackoffRetry(100, 3, 1000))
            .ensembleTracker(false)
            .build();
    c.start();
    return c;
  }

  /** Waits for the first connection; false when it did not come within {@code timeout}. */
  public static boolean awaitConnected(CuratorFramework c, Duration timeout)
      throws InterruptedException {
    return c.blockUntilConnected(
        (int) timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }
}
