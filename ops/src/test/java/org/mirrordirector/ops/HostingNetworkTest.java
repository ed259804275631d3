package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.archive.Apt;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * The hosting's own network, in network namespaces ({@link HostingNetwork}): a node on an IPv6-only
 * backend, the upstream's rsync daemon IPv4-only behind NAT64 (reached through the name DNS64
 * answers), and nginx mirrors that are dual-stack, IPv4-only (with and without a DNS64 answer),
 * IPv6-only, and dual-stack with a broken IPv6 address. The node finds the NAT64 prefix itself (RFC
 * 7050), syncs through it, judges each mirror's families from where it stands, and real apt
 * clients, one over IPv4 and one over IPv6, reach it through a dual-stack HAProxy on the gateway
 * and are each sent to mirrors that serve their family.
 *
 * <p>Root only (CI runs as root); skipped otherwise, with the reason. Its twins that run anywhere:
 * {@code HappyEyeballsTest} and {@code Nat64Test} (failover), {@code OutboundHttpTest} and {@code
 * FamilyCheckTest} (sync-agent), {@code Ipv6OnlyTest} here (a node on ::1 only).
 */
@Timeout(300)
class HostingNetworkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODE = "http://[::1]:8080";

  @TempDir Path dir;

  @Test
  void
      aNodeOnAnIpv6OnlyBackendWithNat64JudgesMirrorsFromWhereItStandsAndAptFromBothFamiliesIsServed()
          throws Exception {
    assumeTrue(
        HostingNetwork.unavailable().isEmpty(), HostingNetwork.unavailable().orElse("")::toString);
    assumeTrue(Nginx.available(), "nginx is not installed");
    assumeTrue(Haproxy.available(), "haproxy is not installed");
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 20, 26));
    try (HostingNetwork net =
        HostingNetwork.create(
            dir.resolve("net"),
            List.of("192.0.2.1", "192.0.2.2", "192.0.2.4", "192.0.2.5", "192.0.2.10"),
            List.of("2001:db8:1::1", "2001:db8:1::3", "2001:db8:1::4"))) {
      // The backend's resolver is a DNS64: an IPv4-only name also has its synthesized AAAA.
      net.backendHosts(
          """
          2001:db8:ff9b::c000:aa ipv4only.arpa
          2001:db8:ff9b::c000:ab ipv4only.arpa
          2001:db8:ff9b::c000:20a upstream.test
          2001:db8:1::1 dual.test
          192.0.2.1 dual.test
          192.0.2.2 v4only.test
          2001:db8:ff9b::c000:202 v4only.test
          192.0.2.5 v4plain.test
          2001:db8:1::3 v6only.test
          192.0.2.4 brokenv6.test
          2001:db8:1::4 brokenv6.test
          """);
      // What the clients outside see.
      net.internetHosts(
          """
          2001:db8:1::1 dual.test
          192.0.2.1 dual.test
          192.0.2.2 v4only.test
          192.0.2.5 v4plain.test
          2001:db8:1::3 v6only.test
          192.0.2.4 brokenv6.test
          2001:db8:1::4 brokenv6.test
          """);

      // The upstream: an rsync daemon on IPv4 only.
      Path rsyncd = Files.createDirectories(dir.resolve("rsyncd"));
      Files.writeString(
          rsyncd.resolve("rsyncd.conf"),
          "pid file = "
              + rsyncd.resolve("rsyncd.pid")
              + "\nuse chroot = no\nuid = root\ngid = root\n[archive]\n  path = "
              + upstream.root
              + "\n  read only = yes\n");
      Path rsyncLog = rsyncd.resolve("rsyncd.out");
      net.start(
          net.internet,
          rsyncLog,
          "rsync",
          "--daemon",
          "--no-detach",
          "--config=" + rsyncd.resolve("rsyncd.conf"),
          "--address=192.0.2.10",
          "--port=873",
          "--log-file=" + rsyncd.resolve("rsyncd.log"));
      net.awaitListening(net.internet, "192.0.2.10", 873, Duration.ofSeconds(20), rsyncLog);

      // The mirrors: one nginx on every mirror address but 2001:db8:1::4 (brokenv6's IPv6).
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
      }
      Files.writeString(
          nginx.resolve("nginx.conf"),
          Nginx.conf(
              nginx,
              upstream.root,
              listen.toString(),
              "$server_addr $remote_addr \"$request\" \"$http_user_agent\""));
      Path nginxLog = nginx.resolve("nginx.out");
      net.start(
          net.internet,
          nginxLog,
          Nginx.nginx(),
          "-p",
          nginx.toString(),
          "-e",
          nginx.resolve("error.log").toString(),
          "-c",
          nginx.resolve("nginx.conf").toString());
      net.awaitListening(net.internet, "2001:db8:1::3", 80, Duration.ofSeconds(20), nginxLog);

      // The node, in the IPv6-only backend.
      Path token = dir.resolve("token");
      Files.writeString(token, TestNodes.TOKEN + "\n");
      Path config = dir.resolve("node-a.yaml");
      Files.writeString(
          config,
          "node:\n  id: node-a\n  data: "
              + dir.resolve("node-a")
              + "\n  address: \"[2001:db8:64::2]:8080\"\n"
              + "zookeeper:\n  connect: \"\"\n  embedded-host: \"::1\"\n  embedded-port: 2181\n"
              + "archive:\n  upstream: \"rsync://upstream.test/archive/\"\n"
              + "  suites: [bookworm]\n  keyring: "
              + upstream.keyring
              + "\n  sync-interval: 1s\n  min-free: 0\n"
              + "  rsync-host: \"2001:db8:64::2\"\n  rsync-port: 8873\n"
              + "director:\n  host: \"::\"\n  port: 8080\n  admin-token-file: "
              + token
              + "\n  drain-time: 0s\n  trusted-proxies: [\"2001:db8:64::1/128\"]\n"
              + "probe:\n  interval: 1s\n  timeout: 3s\n  confirmations: 1\n");
      Path nodeLog = dir.resolve("node-a.log");
      net.start(net.backend, nodeLog, mirrorctl("node", "--config", config.toString()));
      await(
          net,
          nodeLog,
          "the node syncs from the IPv4-only upstream through NAT64 and is ready",
          Duration.ofSeconds(120),
          s -> {
            for (JsonNode n : s.get("nodes")) {
              if (n.get("id").asText().equals("node-a")
                  && n.get("ready").asBoolean()
                  && !n.get("snapshot").isNull()) {
                return true;
              }
            }
            return false;
          });
      assertThat(Files.readString(nodeLog))
          .as("the prefix found through ipv4only.arpa")
          .contains("NAT64 prefix 2001:db8:ff9b::/96 (network.nat64-prefix: auto)");

      for (String m : List.of("dual", "v4only", "v4plain", "v6only", "brokenv6")) {
        HostingNetwork.Result r =
            net.exec(
                net.backend,
                Duration.ofSeconds(60),
                mirrorctl(
                    "mirrors",
                    "add",
                    m,
                    "--url",
                    NODE,
                    "--token-file",
                    token.toString(),
                    "--http",
                    "http://" + m + ".test/",
                    "--country",
                    "GB"));
        assertThat(r.exit()).as(r.output()).isZero();
      }
      JsonNode status =
          await(
              net,
              nodeLog,
              "every mirror probed, its families known",
              Duration.ofSeconds(60),
              s -> {
                int known = 0;
                for (JsonNode m : s.get("mirrors")) {
                  if (m.get("families").size() == 2 && m.get("states").size() > 0) {
                    known++;
                  }
                }
                return known == 5;
              });
      assertThat(health(status, "dual")).isEqualTo("OK");
      assertThat(family(status, "dual", "ipv4"))
          .isEqualTo("true answers at [2001:db8:ff9b::c000:201]:80 (192.0.2.1 through NAT64)");
      assertThat(family(status, "dual", "ipv6")).isEqualTo("true answers at [2001:db8:1::1]:80");
      assertThat(health(status, "v4only")).isEqualTo("OK");
      assertThat(family(status, "v4only", "ipv4"))
          .as("DNS64's answer is the mirror's IPv4, not an IPv6 address")
          .isEqualTo("true answers at [2001:db8:ff9b::c000:202]:80 (192.0.2.2 through NAT64)");
      assertThat(family(status, "v4only", "ipv6"))
          .isEqualTo("false no IPv6 address for v4only.test");
      assertThat(health(status, "v4plain"))
          .as("an A record alone, through the node's prefix")
          .isEqualTo("OK");
      assertThat(family(status, "v4plain", "ipv4"))
          .isEqualTo("true answers at [2001:db8:ff9b::c000:205]:80 (192.0.2.5 through NAT64)");
      assertThat(health(status, "v6only")).isEqualTo("OK");
      assertThat(family(status, "v6only", "ipv6")).isEqualTo("true answers at [2001:db8:1::3]:80");
      assertThat(family(status, "v6only", "ipv4"))
          .isEqualTo("false no IPv4 address for v6only.test");
      assertThat(health(status, "brokenv6"))
          .as("its IPv6 refuses, its IPv4 answers through NAT64: the probe moves on at once")
          .isEqualTo("OK");
      assertThat(family(status, "brokenv6", "ipv6"))
          .isEqualTo("false connection refused at [2001:db8:1::4]:80");
      assertThat(family(status, "brokenv6", "ipv4")).startsWith("true answers at ");

      // The front end: a dual-stack HAProxy on the gateway, the node behind it over IPv6.
      Path haproxy = Files.createDirectories(dir.resolve("haproxy"));
      Files.writeString(
          haproxy.resolve("haproxy.cfg"),
          Haproxy.config(
              List.of(HostingNetwork.GATEWAY_V4 + ":80", "[" + HostingNetwork.GATEWAY_V6 + "]:80"),
              List.of("[" + HostingNetwork.BACKEND + "]:8080")));
      Path haproxyLog = haproxy.resolve("haproxy.out");
      net.start(
          net.gateway,
          haproxyLog,
          "haproxy",
          "-db",
          "-f",
          haproxy.resolve("haproxy.cfg").toString());
      for (String front :
          List.of(HostingNetwork.GATEWAY_V4, "[" + HostingNetwork.GATEWAY_V6 + "]")) {
        String url = "http://" + front + "/raspbian/dists/bookworm/InRelease";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!curl(net, "-o", "/dev/null", "-w", "%{http_code}", url).equals("302")) {
          assertThat(System.nanoTime() < deadline)
              .as("HAProxy at " + front + " sends to the node: " + Files.readString(haproxyLog))
              .isTrue();
          Thread.sleep(200);
        }
      }

      // Each client family is explained and sent to a mirror that serves it.
      JsonNode four =
          JSON.readTree(curl(net, "http://192.0.2.254/raspbian/dists/bookworm/InRelease?explain"));
      assertThat(four.get("client").get("address").asText())
          .as("HAProxy's X-Forwarded-For, believed from the gateway")
          .startsWith("192.0.2.");
      assertThat(four.get("chosen").asText()).isIn("dual", "v4only", "v4plain", "brokenv6");
      assertThat(reason(four, "v6only"))
          .startsWith("the client came over IPv4, and the mirror has no working IPv4 address");
      JsonNode six =
          JSON.readTree(
              curl(net, "http://[2001:db8:1::fe]/raspbian/dists/bookworm/InRelease?explain"));
      assertThat(six.get("client").get("address").asText()).startsWith("2001:db8:1::");
      assertThat(six.get("chosen").asText()).isIn("dual", "v6only");
      assertThat(reason(six, "brokenv6"))
          .isEqualTo(
              "the client came over IPv6, and the mirror has no working IPv6 address: connection"
                  + " refused at [2001:db8:1::4]:80");
      assertThat(reason(six, "v4only")).endsWith("no IPv6 address for v4only.test");

      // Real apt from each family, through the front end, to mirrors of its own family.
      Path access = nginx.resolve("access.log");
      for (String[] client :
          new String[][] {
            {"4", "http://192.0.2.254/raspbian/", "Acquire::ForceIPv4=true", "192.0.2."},
            {"6", "http://[2001:db8:1::fe]/raspbian/", "Acquire::ForceIPv6=true", "2001:db8:1::"}
          }) {
        long before = Files.exists(access) ? Files.size(access) : 0;
        Apt apt = new Apt(dir.resolve("apt" + client[0])).inNamespace(net.internet);
        apt.sources("deb [signed-by=" + upstream.keyring + "] " + client[1] + " bookworm main");
        apt.run("-o", client[2], "update");
        apt.run(
            "-o",
            client[2],
            "download",
            upstream.firstField("main/binary-armhf/Packages", "Package"));
        List<String> served = new ArrayList<>();
        for (String line : Files.readString(access).substring((int) before).split("\n")) {
          if (line.contains("Debian APT-HTTP")) {
            served.add(line);
          }
        }
        assertThat(served).as("apt over IPv" + client[0] + " reached the mirrors").isNotEmpty();
        assertThat(served)
            .as("every file apt over IPv" + client[0] + " fetched came from its own family")
            .allMatch(l -> l.startsWith(client[3]));
      }
    }
  }

  /** A mirrorctl command line, run with this JVM and its class path. */
  static String[] mirrorctl(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Mirrorctl.class.getName());
    cmd.addAll(List.of(args));
    return cmd.toArray(String[]::new);
  }

  /** The node's status.json once {@code until} holds, polled from inside the backend. */
  private static JsonNode await(
      HostingNetwork net, Path nodeLog, String what, Duration limit, Predicate<JsonNode> until)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      HostingNetwork.Result r =
          net.exec(
              net.backend, Duration.ofSeconds(10), "curl", "-sS", "-m", "5", NODE + "/status.json");
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
            + "\nnode log:\n"
            + (Files.exists(nodeLog) ? Files.readString(nodeLog) : "none"));
  }

  private static JsonNode mirror(JsonNode status, String id) {
    for (JsonNode m : status.get("mirrors")) {
      if (m.get("id").asText().equals(id)) {
        return m;
      }
    }
    throw new AssertionError("no mirror " + id + " in " + status);
  }

  private static String health(JsonNode status, String id) {
    return mirror(status, id).get("states").get(0).get("health").asText();
  }

  /** "true DETAIL" or "false DETAIL". */
  private static String family(JsonNode status, String id, String family) {
    JsonNode f = mirror(status, id).get("families").get(family);
    return f.get("works").asBoolean() + " " + f.get("detail").asText();
  }

  private static String reason(JsonNode explain, String mirror) {
    for (JsonNode c : explain.get("candidates")) {
      if (c.get("mirror").asText().equals(mirror)) {
        return c.get("reason").asText();
      }
    }
    throw new AssertionError("no candidate " + mirror + " in " + explain);
  }

  /** curl from the internet namespace (a client outside), its output. */
  private static String curl(HostingNetwork net, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-m", "10"));
    cmd.addAll(List.of(args));
    HostingNetwork.Result r =
        net.exec(net.internet, Duration.ofSeconds(20), cmd.toArray(String[]::new));
    return r.output();
  }
}
