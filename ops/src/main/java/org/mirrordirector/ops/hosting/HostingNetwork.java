package org.mirrordirector.ops.hosting;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.mirrordirector.ops.common.Trees;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RunResult;

/**
 * The hosting's network in small, in network namespaces of its own (root only), with addresses of
 * the documentation ranges only; the tests build it, and so does {@code mirrorctl demo
 * --ipv6-only-backend}:
 *
 * <pre>
 *   backend   IPv6 only: 2001:db8:64::2/64 (and ::3 for a second node), no IPv4 but loopback,
 *      |      its default route through the gateway; names answered as DNS64 would
 *      |      (/etc/netns/BACKEND/hosts), ipv4only.arpa included
 *   gateway   2001:db8:64::1 towards the backend; 192.0.2.254 and 2001:db8:1::fe towards the
 *      |      internet; forwards both families; tayga translates 2001:db8:ff9b::/96 to IPv4
 *      |      (its pool 198.51.100.0/24); the load balancer runs here
 *   internet  dual-stack: 192.0.2.0/24 and 2001:db8:1::/64, the upstream, the mirrors, the clients
 * </pre>
 *
 * <p>Everything it makes (three namespaces, their links, the TUN device, {@code /etc/netns} files)
 * and every process it started in them is removed by {@link #close}, also when a test fails or the
 * JVM is stopped by a signal.
 */
public final class HostingNetwork implements AutoCloseable {
  public static final String NAT64_PREFIX = "2001:db8:ff9b::/96";
  public static final String BACKEND = "2001:db8:64::2";
  public static final String BACKEND_2 = "2001:db8:64::3";
  public static final String GATEWAY_TO_BACKEND = "2001:db8:64::1";
  public static final String GATEWAY_V4 = "192.0.2.254";
  public static final String GATEWAY_V6 = "2001:db8:1::fe";

  public final String backend;
  public final String gateway;
  public final String internet;
  private final Path dir;
  private final String tun;
  private final List<Process> started = new ArrayList<>();
  // A JVM stopped by a signal (a benchmark's time limit, ^C) removes the network too.
  private final Thread onExit = new Thread(this::remove, "hosting-network-cleanup");

  /** Why the network cannot be built here, or empty when it can. */
  public static Optional<String> unavailable() {
    return unavailable(
        effectiveUid(), p -> Files.isExecutable(p), Files.exists(Path.of("/dev/net/tun")));
  }

  /**
   * Why not, from this process's effective user id, the tools installed and whether the machine has
   * a TUN device.
   */
  static Optional<String> unavailable(
      long euid, java.util.function.Predicate<Path> installed, boolean tun) {
    if (euid != 0) {
      return Optional.of(
          "network namespaces need root (ip netns); this process runs as uid "
              + (euid < 0 ? "unknown" : Long.toString(euid)));
    }
    for (String tool : List.of("/usr/sbin/ip", "/usr/sbin/tayga")) {
      if (!installed.test(Path.of(tool))) {
        return Optional.of(
            tool
                + " is not installed (apt-get install "
                + (tool.endsWith("ip") ? "iproute2" : "tayga")
                + ")");
      }
    }
    if (!tun) {
      return Optional.of("/dev/net/tun is missing (tayga needs a TUN device)");
    }
    return Optional.empty();
  }

  /** This process's effective user id (Linux: /proc/self/status), or -1 when unknown. */
  public static long effectiveUid() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("Uid:")) {
          return Long.parseLong(l.substring(4).strip().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: unknown
    }
    return -1;
  }

  /**
   * Builds the three namespaces; {@code internetV4} and {@code internetV6} are the addresses of the
   * internet namespace (the upstream's and the mirrors').
   */
  public static HostingNetwork create(Path dir, List<String> internetV4, List<String> internetV6)
      throws IOException, InterruptedException {
    String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    HostingNetwork n = new HostingNetwork(dir, id);
    Runtime.getRuntime().addShutdownHook(n.onExit);
    try {
      n.build(internetV4, internetV6);
      return n;
    } catch (IOException | InterruptedException | RuntimeException e) {
      n.close();
      throw e;
    }
  }

  private HostingNetwork(Path dir, String id) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.backend = "md-be-" + id;
    this.gateway = "md-gw-" + id;
    this.internet = "md-in-" + id;
    this.tun = "nat64-" + id;
  }

  private void build(List<String> internetV4, List<String> internetV6)
      throws IOException, InterruptedException {
    for (String ns : List.of(backend, gateway, internet)) {
      ip("netns", "add", ns);
      ip("-n", ns, "link", "set", "lo", "up");
    }
    ip("link", "add", "be0", "netns", backend, "type", "veth", "peer", "gwbe", "netns", gateway);
    ip("link", "add", "in0", "netns", internet, "type", "veth", "peer", "gwin", "netns", gateway);
    ip("-n", backend, "addr", "add", BACKEND + "/64", "dev", "be0", "nodad");
    ip("-n", backend, "addr", "add", BACKEND_2 + "/64", "dev", "be0", "nodad");
    ip("-n", backend, "link", "set", "be0", "up");
    ip("-n", backend, "-6", "route", "add", "default", "via", GATEWAY_TO_BACKEND);
    ip("-n", gateway, "addr", "add", GATEWAY_TO_BACKEND + "/64", "dev", "gwbe", "nodad");
    ip("-n", gateway, "link", "set", "gwbe", "up");
    ip("-n", gateway, "addr", "add", GATEWAY_V4 + "/24", "dev", "gwin");
    ip("-n", gateway, "addr", "add", GATEWAY_V6 + "/64", "dev", "gwin", "nodad");
    ip("-n", gateway, "link", "set", "gwin", "up");
    exec(
        gateway,
        Duration.ofSeconds(10),
        "sysctl",
        "-qw",
        "net.ipv4.ip_forward=1",
        "net.ipv6.conf.all.forwarding=1");
    for (String a : internetV4) {
      ip("-n", internet, "addr", "add", a + "/24", "dev", "in0");
    }
    for (String a : internetV6) {
      ip("-n", internet, "addr", "add", a + "/64", "dev", "in0", "nodad");
    }
    ip("-n", internet, "link", "set", "in0", "up");
    ip("-n", internet, "route", "add", "198.51.100.0/24", "via", GATEWAY_V4);
    ip("-n", internet, "-6", "route", "add", "2001:db8:64::/64", "via", GATEWAY_V6);

    // NAT64: tayga on a TUN device of the gateway, for the network-specific prefix (tayga will
    // not translate the well-known 64:ff9b::/96 to documentation addresses).
    Path tayga = Files.createDirectories(dir.resolve("tayga"));
    Path conf = tayga.resolve("tayga.conf");
    Files.writeString(
        conf,
        "tun-device "
            + tun
            + "\nipv4-addr 198.51.100.1\nprefix "
            + NAT64_PREFIX
            + "\ndynamic-pool 198.51.100.0/24\ndata-dir "
            + tayga
            + "\n");
    exec(gateway, Duration.ofSeconds(10), "tayga", "-c", conf.toString(), "--mktun");
    ip("-n", gateway, "link", "set", tun, "up");
    ip("-n", gateway, "route", "add", "198.51.100.0/24", "dev", tun);
    ip("-n", gateway, "route", "add", NAT64_PREFIX, "dev", tun);
    start(gateway, tayga.resolve("tayga.log"), "tayga", "-c", conf.toString(), "--nodetach");
  }

  /** The backend's names, as DNS64 would answer them: {@code /etc/netns/BACKEND/hosts}. */
  public void backendHosts(String lines) throws IOException {
    hosts(backend, lines);
  }

  /** The internet's names (the clients'): {@code /etc/netns/INTERNET/hosts}. */
  public void internetHosts(String lines) throws IOException {
    hosts(internet, lines);
  }

  private static void hosts(String ns, String lines) throws IOException {
    Path d = Files.createDirectories(Path.of("/etc/netns", ns));
    Files.writeString(d.resolve("hosts"), "127.0.0.1 localhost\n::1 localhost\n" + lines);
  }

  /** Starts a process inside {@code ns}, its output to {@code log}; stopped by {@link #close}. */
  public Process start(String ns, Path log, String... cmd) throws IOException {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    all.addAll(Arrays.asList(cmd));
    Process p =
        new ProcessBuilder(all)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    synchronized (started) {
      started.add(p);
    }
    return p;
  }

  /**
   * Runs a command inside {@code ns} and waits for it, at most {@code limit} (then it is killed);
   * its output goes to a file first, so a command that hangs cannot hang the reader.
   */
  public HostingResult exec(String ns, Duration limit, String... cmd)
      throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    all.addAll(Arrays.asList(cmd));
    return run(all, limit);
  }

  private HostingResult run(List<String> cmd, Duration limit)
      throws IOException, InterruptedException {
    RunResult r = BoundedRun.run(cmd, null, dir, limit);
    return new HostingResult(r.exit(), r.output());
  }

  private void ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(Arrays.asList(args));
    HostingResult r = run(cmd, Duration.ofSeconds(10));
    if (!r.ok()) {
      throw new IOException(String.join(" ", cmd) + " failed: " + r.output().strip());
    }
  }

  /**
   * Waits until something in {@code ns} accepts connections at host:port, at most {@code limit}.
   */
  public void awaitListening(String ns, String host, int port, Duration limit, Path log)
      throws IOException, InterruptedException {
    HostingResult r =
        exec(
            ns,
            limit.plusSeconds(5),
            "timeout",
            Long.toString(limit.toSeconds()),
            "bash",
            "-c",
            "until (exec 3<>/dev/tcp/" + host + "/" + port + ") 2>/dev/null; do sleep 0.1; done");
    if (!r.ok()) {
      throw new IOException(
          "nothing listens at "
              + host
              + " port "
              + port
              + " in "
              + ns
              + " within "
              + limit.toSeconds()
              + " s"
              + (log != null && Files.exists(log) ? ": " + Files.readString(log) : ""));
    }
  }

  /** Removes everything: the processes started, the namespaces and their links, the hosts files. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs it
    }
    remove();
  }

  private synchronized void remove() {
    List<Process> ps;
    synchronized (started) {
      ps = new ArrayList<>(started);
    }
    for (Process p : ps) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
    }
    for (Process p : ps) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String ns : List.of(backend, gateway, internet)) {
      try {
        // Anything still inside (a daemon that forked away from the process started) goes too.
        HostingResult pids = run(List.of("ip", "netns", "pids", ns), Duration.ofSeconds(10));
        for (String pid : pids.output().split("\\s+")) {
          if (pid.matches("[0-9]+")) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
          }
        }
        run(List.of("ip", "netns", "del", ns), Duration.ofSeconds(10));
        Trees.deleteTree(Path.of("/etc/netns", ns));
      } catch (IOException e) {
        // best effort: the next namespace is removed all the same
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
