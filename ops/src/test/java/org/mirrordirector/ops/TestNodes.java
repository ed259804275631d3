package org.mirrordirector.ops;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A node.yaml for tests on one loopback address (127.0.0.1 or ::1): fast syncs and probes, no
 * minimum free space, an rsync module for the hot spare, the admin token of {@link #TOKEN} in
 * {@code dir/token}.
 */
public final class TestNodes {
  public static final String TOKEN = "test-nodes-admin-token-0123456";

  private TestNodes() {}

  /** A free port on this loopback address. */
  public static int freePort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return s.getLocalPort();
    }
  }

  /**
   * @param zk an ensemble, or empty for the node's own ZooKeeper on {@code host}
   * @param archives an {@code archives:} block, or empty
   * @param directorExtra more lines under {@code director:}, or empty
   */
  public static Path write(
      Path dir,
      String id,
      String host,
      String zk,
      String upstream,
      Path keyring,
      String archives,
      String directorExtra)
      throws IOException {
    Files.writeString(dir.resolve("token"), TOKEN + "\n");
    int port = freePort(host);
    String q = "\"" + host + "\"";
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(
        f,
        "node:\n  id: "
            + id
            + "\n  data: "
            + dir.resolve(id)
            + "\n  address: \""
            + (host.contains(":") ? "[" + host + "]" : host)
            + ":"
            + port
            + "\"\nzookeeper:\n  connect: \""
            + zk
            + "\"\n  embedded-host: "
            + q
            + "\n  embedded-port: "
            + freePort(host)
            + "\narchive:\n  upstream: \""
            + upstream
            + "\"\n  suites: [bookworm]\n  keyring: "
            + keyring
            + "\n  sync-interval: 1s\n  min-free: 0\n  rsync-host: "
            + q
            + "\n  rsync-port: "
            + freePort(host)
            + "\n"
            + archives
            + "director:\n  host: "
            + q
            + "\n  port: "
            + port
            + "\n  admin-token-file: "
            + dir.resolve("token")
            + "\n  drain-time: 0s\n"
            + directorExtra
            + "probe:\n  interval: 1s\n  timeout: 3s\n  confirmations: 1\n");
    return f;
  }

  /**
   * A replica's node.yaml on this loopback address: it reads {@code zk}, copies the indexes from
   * the active node (or {@code upstream} while it sees none), and sends what no mirror qualifies
   * for to {@code fallback}.
   */
  public static Path replica(
      Path dir,
      String id,
      String region,
      String host,
      String zk,
      String upstream,
      Path keyring,
      String fallback)
      throws IOException {
    int port = freePort(host);
    String q = "\"" + host + "\"";
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(
        f,
        "node:\n  id: "
            + id
            + "\n  role: replica\n  region: "
            + region
            + "\n  data: "
            + dir.resolve(id)
            + "\n  address: \""
            + (host.contains(":") ? "[" + host + "]" : host)
            + ":"
            + port
            + "\"\nzookeeper:\n  connect: \""
            + zk
            + "\"\narchive:\n  upstream: \""
            + upstream
            + "\"\n  suites: [bookworm]\n  keyring: "
            + keyring
            + "\n  sync-interval: 1s\n  min-free: 0\n"
            + "director:\n  host: "
            + q
            + "\n  port: "
            + port
            + "\n  fallback-mirrors: [\""
            + fallback
            + "\"]\n  drain-time: 0s\n");
    return f;
  }
}
