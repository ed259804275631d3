package org.mirrordirector.ops.hosting;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mirrordirector.ops.common.Trees;

/**
 * {@code mirrorctl demo --ipv6-only-backend}: the demo in the hosting's shape ({@link
 * HostingScenario} with DNS64 and NAT64). Two nodes, the active one and its hot spare, in an
 * IPv6-only backend with their own ZooKeeper; the upstream's rsync daemon IPv4-only behind NAT64;
 * five nginx mirrors of every family shape over http and https; HAProxy on the gateway ending TLS
 * for both families. From this machine, the front end answers on 127.0.0.1 and ::1 at one port
 * (through {@link UnixRelay}, with each client's own address), so that the status page and {@code
 * ?explain} show what each family gets; clients inside the hosting's internet run with {@code ip
 * netns exec}. Root only. Everything it made is removed by {@link #close}.
 */
public final class HostingDemo implements AutoCloseable {
  private static final List<String> TOOLS = List.of("nginx", "haproxy", "rsync", "openssl", "curl");

  private final HostingScenario hosting;
  private final UnixRelay relay;

  private HostingDemo(HostingScenario hosting, UnixRelay relay) {
    this.hosting = hosting;
    this.relay = relay;
  }

  /**
   * Why this machine cannot run it (not root, a tool missing), or empty when it can; {@code found}
   * tells whether a command is installed.
   */
  public static Optional<String> unavailable(java.util.function.Predicate<String> found) {
    Optional<String> net = HostingNetwork.unavailable();
    if (net.isPresent()) {
      return net;
    }
    List<String> missing = new ArrayList<>();
    for (String t : TOOLS) {
      if (!found.test(t)) {
        missing.add(t);
      }
    }
    return missing.isEmpty()
        ? Optional.empty()
        : Optional.of(
            "it runs "
                + String.join(", ", TOOLS)
                + "; missing here: "
                + String.join(", ", missing)
                + " (apt-get install "
                + String.join(" ", missing).replace("nginx", "nginx-light")
                + ")");
  }

  /** Whether {@code command} is on the PATH (or /usr/sbin, where nginx and ip live). */
  public static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
    for (String d : path.split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Builds it in {@code dir} (emptied first: it is the demo's own), waits until both nodes are
   * ready and every mirror is probed, and opens the front end at {@code port} (0: a free one) on
   * 127.0.0.1 and ::1.
   */
  public static HostingDemo start(Path dir, int port, PrintWriter out) throws Exception {
    Trees.deleteTree(dir);
    Files.createDirectories(dir);
    out.println("building the hosting's network in namespaces (IPv6-only backend, NAT64)...");
    HostingScenario h = HostingScenario.start(dir, true);
    UnixRelay relay = null;
    try {
      h.zooKeeper();
      String a = HostingNetwork.BACKEND;
      String b = HostingNetwork.BACKEND_2;
      h.node("node-a", a, "[::1]:2181", "");
      out.println("node-a syncs from the IPv4-only upstream through NAT64...");
      h.await(
          "node-a",
          a,
          "node-a is ready",
          Duration.ofSeconds(180),
          s -> HostingScenario.ready(s, "node-a"));
      h.node("node-b", b, "[::1]:2181", "");
      h.addMirrors(a);
      out.println("node-b copies from node-a over IPv6; the mirrors are probed...");
      h.await(
          "node-b",
          b,
          "node-b is ready and every mirror probed",
          Duration.ofSeconds(180),
          s -> HostingScenario.ready(s, "node-b") && HostingScenario.allProbed(s));
      Path socket = dir.resolve("front.sock");
      h.frontEnd(List.of(a, b), socket);
      relay = new UnixRelay(List.of("127.0.0.1", "::1"), port, socket);
      return new HostingDemo(h, relay);
    } catch (Exception | Error e) {
      if (relay != null) {
        relay.close();
      }
      h.close();
      throw e;
    }
  }

  /** The front end's port on 127.0.0.1 and ::1. */
  public int port() {
    return relay.port();
  }

  /** The hosting it runs. */
  public HostingScenario hosting() {
    return hosting;
  }

  /** What to tell the operator once it runs. */
  public List<String> usage() {
    String ns = hosting.net.internet;
    String base = "http://" + HostingScenario.FRONT_NAME + "/raspbian/";
    return List.of(
        "  status page:    http://127.0.0.1:"
            + port()
            + "/status  (also http://[::1]:"
            + port()
            + "/status)",
        "  each family's choice, explained:",
        "    curl -s 'http://127.0.0.1:" + port() + "/raspbian/dists/bookworm/InRelease?explain'",
        "    curl -s 'http://[::1]:" + port() + "/raspbian/dists/bookworm/InRelease?explain'",
        "  a client in the hosting's internet, where the mirrors' names resolve:",
        "    ip netns exec " + ns + " curl -4 -sI " + base + "dists/bookworm/InRelease",
        "    ip netns exec "
            + ns
            + " curl -6 -s --cacert "
            + hosting.ca
            + " https://"
            + HostingScenario.FRONT_NAME
            + "/raspbian/mirrors.txt",
        "  apt sources line there (key "
            + hosting.keyring
            + "): deb [signed-by="
            + hosting.keyring
            + "] "
            + base
            + " bookworm main",
        "  namespaces:     "
            + hosting.net.backend
            + " (the nodes, IPv6 only), "
            + hosting.net.gateway
            + " (HAProxy, NAT64), "
            + ns
            + " (upstream, mirrors, clients)",
        "  logs:           " + hosting.dir);
  }

  @Override
  public void close() {
    relay.close();
    hosting.close();
  }
}
