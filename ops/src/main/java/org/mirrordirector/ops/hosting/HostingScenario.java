package org.mirrordirector.ops.hosting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.mirrordirector.ops.process.ChildProcesses;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratedArchive;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * The hosting in small, for the tests and for {@code mirrorctl demo --ipv6-only-backend} ({@link
 * HostingNetwork}): an upstream archive served by an rsync daemon in the internet (192.0.2.10 and
 * 2001:db8:1::10), nginx mirrors of every family shape over http and https (one test CA for every
 * name), the names as the clients outside see them, and the nodes of the backend started on demand.
 * With DNS64, the backend's names are answered as a DNS64 answers them (an IPv4-only name also has
 * its synthesized AAAA, {@code ipv4only.arpa} reveals the prefix); without, the backend has no way
 * to IPv4 at all.
 *
 * <p>The mirrors: {@code dual} (192.0.2.1 and 2001:db8:1::1), {@code v4only} (192.0.2.2), {@code
 * v4plain} (192.0.2.5, an A record alone even through DNS64), {@code v6only} (2001:db8:1::3),
 * {@code brokenv6} (192.0.2.4, and 2001:db8:1::4 where nothing listens).
 */
public final class HostingScenario implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();
  public static final List<String> MIRRORS =
      List.of("dual", "v4only", "v4plain", "v6only", "brokenv6");
  public static final String FRONT_NAME = "director.test";
  // The command line's main class: started by name, so that this layer never imports the CLI.
  private static final String MIRRORCTL = ChildProcesses.MIRRORCTL_MAIN;

  public final HostingNetwork net;

  /** The upstream archive's tree (served by the rsync daemon as module {@code archive}). */
  public final Path upstreamRoot;

  /** The upstream archive's signing key, armored. */
  public final Path keyring;

  public final Path dir;

  /** The nodes' admin token. */
  public final Path token;

  /** The mirrors' access log: scheme, server address, client address, request, user agent. */
  public final Path access;

  /** The test CA every name's certificate is signed by. */
  public final Path ca;

  public final Path trustStore;
  private final Path pem;

  private HostingScenario(Path dir, HostingNetwork net, Path upstreamRoot, Path keyring)
      throws IOException {
    this.dir = dir;
    this.net = net;
    this.upstreamRoot = upstreamRoot;
    this.keyring = keyring;
    this.token = dir.resolve("token");
    this.access = dir.resolve("nginx/access.log");
    this.ca = dir.resolve("tls/ca.pem");
    this.trustStore = dir.resolve("tls/trust.p12");
    this.pem = dir.resolve("tls/server.pem");
  }

  /** Builds it all; {@code dns64}: the backend reaches IPv4 through NAT64 (see the class). */
  public static HostingScenario start(Path dir, boolean dns64) throws Exception {
    Path upstreamRoot = dir.resolve("upstream");
    GeneratedArchive archive =
        ArchiveGenerator.generate(GeneratorOptions.small(upstreamRoot, 20, 26));
    Path keyring = dir.resolve("archive-key.asc");
    Files.write(keyring, archive.key().publicKeyArmored());
    HostingNetwork net =
        HostingNetwork.create(
            dir.resolve("net"),
            List.of("192.0.2.1", "192.0.2.2", "192.0.2.4", "192.0.2.5", "192.0.2.10"),
            List.of("2001:db8:1::1", "2001:db8:1::3", "2001:db8:1::4", "2001:db8:1::10"));
    HostingScenario s = new HostingScenario(dir, net, upstreamRoot, keyring);
    try {
      s.names(dns64);
      HostingTls.make(net, dir.resolve("tls"), FRONT_NAME, MIRRORS);
      s.upstream();
      s.mirrors();
      byte[] secret = new byte[24];
      new java.security.SecureRandom().nextBytes(secret);
      Files.writeString(s.token, java.util.HexFormat.of().formatHex(secret) + "\n");
      return s;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  private void names(boolean dns64) throws IOException {
    String both =
        """
        2001:db8:1::1 dual.test
        192.0.2.1 dual.test
        192.0.2.2 v4only.test
        192.0.2.5 v4plain.test
        2001:db8:1::3 v6only.test
        192.0.2.4 brokenv6.test
        2001:db8:1::4 brokenv6.test
        """;
    net.backendHosts(
        both
            + (dns64
                ? """
                  2001:db8:ff9b::c000:aa ipv4only.arpa
                  2001:db8:ff9b::c000:ab ipv4only.arpa
                  2001:db8:ff9b::c000:20a upstream.test
                  2001:db8:ff9b::c000:202 v4only.test
                  """
                : "2001:db8:1::10 upstream.test\n"));
    net.internetHosts(
        both
            + "192.0.2.254 "
            + FRONT_NAME
            + "\n"
            + HostingNetwork.GATEWAY_V6
            + " "
            + FRONT_NAME
            + "\n");
  }

  private void upstream() throws Exception {
    Path rsyncd = Files.createDirectories(dir.resolve("rsyncd"));
    Files.writeString(
        rsyncd.resolve("rsyncd.conf"),
        "pid file = "
            + rsyncd.resolve("rsyncd.pid")
            + "\nuse chroot = no\nuid = root\ngid = root\n[archive]\n  path = "
            + upstreamRoot
            + "\n  read only = yes\n");
    Path log = rsyncd.resolve("rsyncd.out");
    net.start(
        net.internet,
        log,
        "rsync",
        "--daemon",
        "--no-detach",
        "--config=" + rsyncd.resolve("rsyncd.conf"),
        "--port=873",
        "--log-file=" + rsyncd.resolve("rsyncd.log"));
    net.awaitListening(net.internet, "192.0.2.10", 873, Duration.ofSeconds(20), log);
  }

  /** One nginx on every mirror address but 2001:db8:1::4 (brokenv6's IPv6), http and https. */
  private void mirrors() throws Exception {
    Path nginx = Files.createDirectories(dir.resolve("nginx/tmp")).getParent();
    StringBuilder listen = new StringBuilder();
    for (String a :
        List.of(
            "192.0.2.1",
            "[2001:db8:1::1]",
            "192.0.2.2",
            "192.0.2.5",
            "[2001:db8:1::3]",
            "192.0.2.4")) {
      listen.append("    listen ").append(a).append(":80;\n");
      listen.append("    listen ").append(a).append(":443 ssl;\n");
    }
    listen.append("    ssl_certificate ").append(dir.resolve("tls/server.crt")).append(";\n");
    listen.append("    ssl_certificate_key ").append(dir.resolve("tls/server.key")).append(";\n");
    nginx(
        net,
        nginx,
        NginxConfig.conf(
            nginx,
            upstreamRoot,
            listen.toString(),
            "$scheme $server_addr $remote_addr \"$request\" \"$http_user_agent\""),
        "2001:db8:1::3",
        443);
  }

  /** Starts nginx in the internet with this configuration; waits until it listens at host:port. */
  public static void nginx(HostingNetwork net, Path nginx, String conf, String host, int port)
      throws Exception {
    Files.writeString(nginx.resolve("nginx.conf"), conf);
    Path log = nginx.resolve("nginx.out");
    net.start(
        net.internet,
        log,
        NginxConfig.binary(),
        "-p",
        nginx.toString(),
        "-e",
        nginx.resolve("error.log").toString(),
        "-c",
        nginx.resolve("nginx.conf").toString());
    net.awaitListening(net.internet, host, port, Duration.ofSeconds(20), log);
  }

  /**
   * A node in the backend, on {@code address} port 8080 (its rsync module on 8873), with its own
   * embedded ZooKeeper on ::1 when {@code zk} is empty; it trusts the test CA.
   */
  public Process node(String id, String address, String zk, String network) throws IOException {
    Path config = dir.resolve(id + ".yaml");
    Files.writeString(
        config,
        "node:\n  id: "
            + id
            + "\n  data: "
            + dir.resolve(id)
            + "\n  address: \"["
            + address
            + "]:8080\"\n"
            + "zookeeper:\n  connect: \""
            + zk
            + "\"\n  embedded-host: \"::1\"\n  embedded-port: 2181\n"
            + "archive:\n  upstream: \"rsync://upstream.test/archive/\"\n"
            + "  suites: [bookworm]\n  keyring: "
            + keyring
            + "\n  sync-interval: 1s\n  min-free: 0\n"
            + "  rsync-host: \""
            + address
            + "\"\n  rsync-port: 8873\n"
            + "director:\n  host: \""
            + address
            + "\"\n  port: 8080\n  admin-token-file: "
            + token
            + "\n  drain-time: 0s\n  trusted-proxies: [\""
            + HostingNetwork.GATEWAY_TO_BACKEND
            + "/128\"]\n"
            + "probe:\n  interval: 1s\n  timeout: 3s\n  confirmations: 1\n"
            + network);
    return net.start(
        net.backend,
        log(id),
        java(
            List.of(
                "-Djavax.net.ssl.trustStore=" + trustStore,
                "-Djavax.net.ssl.trustStorePassword=changeit",
                "-Djavax.net.ssl.trustStoreType=PKCS12"),
            MIRRORCTL,
            "node",
            "--config",
            config.toString()));
  }

  /** A ZooKeeper server of its own in the backend, on port 2181 (the nodes' ensemble). */
  public Process zooKeeper() throws Exception {
    Path data = Files.createDirectories(dir.resolve("zookeeper"));
    Path log = dir.resolve("zookeeper.log");
    Process p =
        net.start(
            net.backend,
            log,
            java(
                List.of(),
                "org.apache.zookeeper.server.ZooKeeperServerMain",
                "2181",
                data.toString()));
    net.awaitListening(net.backend, "::1", 2181, Duration.ofSeconds(30), log);
    return p;
  }

  public Path log(String id) {
    return dir.resolve(id + ".log");
  }

  /** This JVM's java with its class path: a main class and its arguments. */
  public static String[] java(List<String> options, String main, String... args) {
    List<String> cmd = new ArrayList<>(ChildProcesses.java());
    cmd.add("-Xmx256m");
    cmd.addAll(options);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main);
    cmd.addAll(List.of(args));
    return cmd.toArray(String[]::new);
  }

  /** Adds the five mirrors through {@code mirrorctl mirrors add}, over http and https. */
  public void addMirrors(String nodeAddress) throws Exception {
    for (String m : MIRRORS) {
      HostingResult r =
          net.exec(
              net.backend,
              Duration.ofSeconds(60),
              java(
                  List.of(),
                  MIRRORCTL,
                  "mirrors",
                  "add",
                  m,
                  "--url",
                  "http://[" + nodeAddress + "]:8080",
                  "--token-file",
                  token.toString(),
                  "--http",
                  "http://" + m + ".test/",
                  "--https",
                  "https://" + m + ".test/",
                  "--country",
                  "GB"));
      if (r.exit() != 0) {
        throw new AssertionError("mirrors add " + m + ": " + r.output());
      }
    }
  }

  /** A node's status.json once {@code until} holds, asked from inside the backend. */
  public JsonNode await(
      String id, String nodeAddress, String what, Duration limit, Predicate<JsonNode> until)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      HostingResult r =
          net.exec(
              net.backend,
              Duration.ofSeconds(10),
              "curl",
              "-sS",
              "-m",
              "5",
              "http://[" + nodeAddress + "]:8080/status.json");
      if (r.ok()) {
        last = r.output();
        JsonNode s = JSON.readTree(last);
        if (until.test(s)) {
          return s;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        what
            + ": not within "
            + limit.toSeconds()
            + " s; last status: "
            + last
            + "\n"
            + id
            + "'s log:\n"
            + (Files.exists(log(id)) ? Files.readString(log(id)) : "none"));
  }

  /** Every mirror probed and its families known. */
  public static boolean allProbed(JsonNode s) {
    int known = 0;
    for (JsonNode m : s.get("mirrors")) {
      if (m.get("families").size() == 2 && m.get("states").size() > 0) {
        known++;
      }
    }
    return known == MIRRORS.size();
  }

  /** The node {@code id} is ready, at a snapshot. */
  public static boolean ready(JsonNode s, String id) {
    for (JsonNode n : s.get("nodes")) {
      if (n.get("id").asText().equals(id)
          && n.get("ready").asBoolean()
          && !n.get("snapshot").isNull()) {
        return true;
      }
    }
    return false;
  }

  /** A dual-stack HAProxy on the gateway: http on 80, TLS ended on 443, to these nodes. */
  public void frontEnd(List<String> nodeAddresses) throws Exception {
    frontEnd(nodeAddresses, null);
  }

  /**
   * The same, and with {@code unixSocket} also on that Unix socket, each connection preceded by a
   * PROXY protocol line ({@link UnixRelay}): the way in from outside the namespaces.
   */
  public void frontEnd(List<String> nodeAddresses, Path unixSocket) throws Exception {
    Path haproxy = Files.createDirectories(dir.resolve("haproxy"));
    List<String> servers = new ArrayList<>();
    for (String a : nodeAddresses) {
      servers.add("[" + a + "]:8080");
    }
    String v4 = HostingNetwork.GATEWAY_V4;
    String v6 = "[" + HostingNetwork.GATEWAY_V6 + "]";
    Files.writeString(
        haproxy.resolve("haproxy.cfg"), Haproxy.config(binds(v4, v6, unixSocket), servers));
    Path log = haproxy.resolve("haproxy.out");
    net.start(net.gateway, log, "haproxy", "-db", "-f", haproxy.resolve("haproxy.cfg").toString());
    for (String front : List.of("http://" + v4, "http://" + v6, "https://" + FRONT_NAME)) {
      String url = front + "/raspbian/dists/bookworm/InRelease";
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!curl("-o", "/dev/null", "-w", "%{http_code}", url).equals("302")) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "HAProxy at " + front + " does not send to a node: " + Files.readString(log));
        }
        Thread.sleep(200);
      }
    }
  }

  private List<String> binds(String v4, String v6, Path unixSocket) {
    List<String> binds =
        new ArrayList<>(
            List.of(
                v4 + ":80", v6 + ":80", v4 + ":443 ssl crt " + pem, v6 + ":443 ssl crt " + pem));
    if (unixSocket != null) {
      binds.add("unix@" + unixSocket + " accept-proxy mode 600");
    }
    return binds;
  }

  /** curl from the internet (a client outside), trusting the test CA; its output. */
  public String curl(String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(List.of("curl", "-sS", "-m", "10", "--cacert", ca.toString()));
    cmd.addAll(List.of(args));
    return net.exec(net.internet, Duration.ofSeconds(20), cmd.toArray(String[]::new)).output();
  }

  @Override
  public void close() {
    net.close();
  }
}
