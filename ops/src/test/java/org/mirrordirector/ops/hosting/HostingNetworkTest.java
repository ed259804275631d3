package org.mirrordirector.ops.hosting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.HostingApt;
import org.mirrordirector.ops.Nginx;

/**
 * The hosting's own network, in network namespaces ({@link HostingScenario}): nodes on an IPv6-only
 * backend, the upstream's rsync daemon reached through NAT64 under the name DNS64 answers, nginx
 * mirrors that are dual-stack, IPv4-only (with and without a DNS64 answer), IPv6-only, and
 * dual-stack with a broken IPv6 address, and real apt clients outside, over IPv4 and over IPv6,
 * through a dual-stack HAProxy on the gateway that also ends TLS.
 *
 * <p>Root only (CI runs as root); skipped otherwise, with the reason. Its twins that run anywhere:
 * {@code HappyEyeballsTest} and {@code Nat64Test} (failover), {@code OutboundHttpTest}, {@code
 * RsyncSourceTest} and {@code FamilyCheckTest} (sync-agent), {@code ZooKeeperHostProviderTest}
 * (failover), and {@code Ipv6OnlyTest} here (a node on ::1 only).
 */
@Timeout(300)
class HostingNetworkTest {
  private static final String A = HostingNetwork.BACKEND;
  private static final String B = HostingNetwork.BACKEND_2;

  @TempDir java.nio.file.Path dir;

  @BeforeEach
  void needsRootAndTools() {
    assumeTrue(
        HostingNetwork.unavailable().isEmpty(), HostingNetwork.unavailable().orElse("")::toString);
    assumeTrue(Nginx.available(), "nginx is not installed");
    assumeTrue(Haproxy.available(), "haproxy is not installed");
  }

  @Test
  void aNodeWithNat64JudgesEveryMirrorFromWhereItStandsAndEachClientGetsMirrorsOfItsFamily()
      throws Exception {
    try (HostingScenario h = HostingScenario.start(dir, true)) {
      h.node("node-a", A, "", "");
      h.await(
          "node-a",
          A,
          "the node syncs from the IPv4-only upstream through NAT64 and is ready",
          Duration.ofSeconds(120),
          s -> HostingScenario.ready(s, "node-a"));
      assertThat(Files.readString(h.log("node-a")))
          .as("the prefix found through ipv4only.arpa")
          .contains("NAT64 prefix 2001:db8:ff9b::/96 (network.nat64-prefix: auto)")
          .as("rsync pinned to the upstream's address through NAT64")
          .contains("rsync upstream.test:873: [2001:db8:ff9b::c000:20a]:873 answered");
      h.addMirrors(A);
      JsonNode status =
          h.await(
              "node-a",
              A,
              "every mirror probed, its families known",
              Duration.ofSeconds(60),
              HostingScenario::allProbed);
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

      h.frontEnd(List.of(A));
      // Each client family is explained and sent to a mirror that serves it.
      JsonNode four =
          HostingScenario.JSON.readTree(
              h.curl("http://192.0.2.254/raspbian/dists/bookworm/InRelease?explain"));
      assertThat(four.get("client").get("address").asText())
          .as("HAProxy's X-Forwarded-For, believed from the gateway")
          .startsWith("192.0.2.");
      assertThat(four.get("chosen").asText()).isIn("dual", "v4only", "v4plain", "brokenv6");
      assertThat(reason(four, "v6only"))
          .startsWith("the client came over IPv4, and the mirror has no working IPv4 address");
      JsonNode six =
          HostingScenario.JSON.readTree(
              h.curl("http://[2001:db8:1::fe]/raspbian/dists/bookworm/InRelease?explain"));
      assertThat(six.get("client").get("address").asText()).startsWith("2001:db8:1::");
      assertThat(six.get("chosen").asText()).isIn("dual", "v6only");
      assertThat(reason(six, "brokenv6"))
          .isEqualTo(
              "the client came over IPv6, and the mirror has no working IPv6 address: connection"
                  + " refused at [2001:db8:1::4]:80");
      assertThat(reason(six, "v4only")).endsWith("no IPv6 address for v4only.test");

      // mirrors.txt for each family lists only mirrors of that family.
      String list4 = h.curl("-4", "http://" + HostingScenario.FRONT_NAME + "/raspbian/mirrors.txt");
      String list6 = h.curl("-6", "http://" + HostingScenario.FRONT_NAME + "/raspbian/mirrors.txt");
      assertThat(list4).contains("http://v4only.test/").doesNotContain("v6only.test");
      assertThat(list6)
          .contains("http://v6only.test/")
          .doesNotContain("v4only.test")
          .doesNotContain("v4plain.test")
          .doesNotContain("brokenv6.test");

      // Real apt from each family, through the front end, to mirrors of its own family.
      List<String> four4 = HostingApt.apt(h, "four", "4", "http://192.0.2.254/raspbian/");
      assertThat(four4).as("apt over IPv4 reached the mirrors").isNotEmpty();
      assertThat(four4)
          .as("every file apt over IPv4 fetched came from an IPv4 address")
          .allMatch(l -> l.startsWith("http 192.0.2."));
      List<String> six6 = HostingApt.apt(h, "six", "6", "http://[2001:db8:1::fe]/raspbian/");
      assertThat(six6).as("apt over IPv6 reached the mirrors").isNotEmpty();
      assertThat(six6)
          .as("every file apt over IPv6 fetched came from an IPv6 address")
          .allMatch(l -> l.startsWith("http 2001:db8:1::"));
    }
  }

  @Test
  void theHotSpareInTheSameBackendTakesOverWhileAptOverTlsFromBothFamiliesGoesOn()
      throws Exception {
    try (HostingScenario h = HostingScenario.start(dir, true)) {
      h.zooKeeper();
      Process a = h.node("node-a", A, "[::1]:2181", "");
      h.await(
          "node-a",
          A,
          "node-a leads and is ready",
          Duration.ofSeconds(120),
          s -> HostingScenario.ready(s, "node-a"));
      h.node("node-b", B, "[::1]:2181", "");
      h.addMirrors(A);
      h.await(
          "node-b",
          B,
          "the hot spare is ready (its copy from node-a's module over IPv6), the mirrors probed",
          Duration.ofSeconds(120),
          s -> HostingScenario.ready(s, "node-b") && HostingScenario.allProbed(s));
      assertThat(Files.readString(h.log("node-a")))
          .as("the ZooKeeper connection names the address that answered")
          .contains("ZooKeeper: connected to ::1 ([::1]:2181)");
      JsonNode probedA =
          h.await(
              "node-a",
              A,
              "the https mirrors probed too (the node trusts the test CA)",
              Duration.ofSeconds(30),
              s -> scheme(s, "dual", "https").equals("OK"));
      assertThat(scheme(probedA, "v6only", "https")).isEqualTo("OK");
      h.frontEnd(List.of(A, B));

      String https = "https://" + HostingScenario.FRONT_NAME + "/raspbian/";
      List<String> before4 = HostingApt.apt(h, "tls4", "4", https);
      assertThat(before4).isNotEmpty().allMatch(l -> l.startsWith("https 192.0.2."));
      List<String> before6 = HostingApt.apt(h, "tls6", "6", https);
      assertThat(before6).isNotEmpty().allMatch(l -> l.startsWith("https 2001:db8:1::"));

      a.destroyForcibly();
      a.waitFor();
      JsonNode afterTakeover =
          h.await(
              "node-b",
              B,
              "node-b takes over",
              Duration.ofSeconds(60),
              s -> "node-b".equals(s.get("registry").get("leader").asText()));
      assertThat(afterTakeover.get("registry").get("connected").asBoolean()).isTrue();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!h.curl("-o", "/dev/null", "-w", "%{http_code}", https + "dists/bookworm/InRelease")
          .equals("302")) {
        assertThat(System.nanoTime() < deadline).as("HAProxy moves to node-b").isTrue();
        Thread.sleep(200);
      }
      List<String> after6 = HostingApt.apt(h, "tls6", "6", https);
      assertThat(after6).isNotEmpty().allMatch(l -> l.startsWith("https 2001:db8:1::"));
      List<String> after4 = HostingApt.apt(h, "tls4", "4", https);
      assertThat(after4).isNotEmpty().allMatch(l -> l.startsWith("https 192.0.2."));
      JsonNode probed =
          h.await(
              "node-b",
              B,
              "node-b probes from the backend as node-a did",
              Duration.ofSeconds(30),
              s -> family(s, "dual", "ipv4").startsWith("true answers at [2001:db8:ff9b::"));
      assertThat(family(probed, "v6only", "ipv6")).startsWith("true answers at [2001:db8:1::3]");
    }
  }

  @Test
  void withoutNat64AFamilyTheNodeCannotReachIsNotCheckableAndKeepsNoClientAway() throws Exception {
    try (HostingScenario h = HostingScenario.start(dir, false)) {
      h.node("node-a", A, "", "");
      h.await(
          "node-a",
          A,
          "the node syncs over IPv6 and is ready",
          Duration.ofSeconds(120),
          s -> HostingScenario.ready(s, "node-a"));
      assertThat(Files.readString(h.log("node-a")))
          .contains("NAT64 prefix none (network.nat64-prefix: auto)");
      h.addMirrors(A);
      JsonNode status =
          h.await(
              "node-a",
              A,
              "every mirror probed, the families of those that answer known",
              Duration.ofSeconds(60),
              s -> {
                for (String m : HostingScenario.MIRRORS) {
                  if (mirror(s, m).get("states").size() == 0) {
                    return false;
                  }
                }
                return mirror(s, "dual").get("families").size() == 2
                    && mirror(s, "v6only").get("families").size() == 2;
              });
      JsonNode dual = mirror(status, "dual").get("families").get("ipv4");
      assertThat(dual.get("works").asBoolean()).isFalse();
      assertThat(dual.get("checkable").asBoolean()).isFalse();
      assertThat(dual.get("detail").asText())
          .startsWith("not checkable from here: this node has no path to IPv4")
          .contains("192.0.2.1:80");
      assertThat(family(status, "dual", "ipv6")).isEqualTo("true answers at [2001:db8:1::1]:80");
      assertThat(health(status, "dual")).isEqualTo("OK");
      assertThat(health(status, "v4only"))
          .as("a mirror this node cannot reach at all cannot be probed")
          .isEqualTo("DOWN");
      String page =
          h.net
              .exec(
                  h.net.backend,
                  Duration.ofSeconds(10),
                  "curl",
                  "-sS",
                  "http://[" + A + "]:8080/status")
              .output();
      assertThat(page).contains(">IPv6; IPv4 not checkable from here</td>");

      h.frontEnd(List.of(A));
      JsonNode four =
          HostingScenario.JSON.readTree(
              h.curl("http://192.0.2.254/raspbian/dists/bookworm/InRelease?explain"));
      assertThat(four.get("chosen").asText())
          .as("the IPv4 client is sent to the dual-stack mirror all the same")
          .isEqualTo("dual");
      assertThat(reason(four, "dual"))
          .contains("; its IPv4 is not checkable from here: not checkable from here");
      List<String> served = HostingApt.apt(h, "four", "4", "http://192.0.2.254/raspbian/");
      assertThat(served).isNotEmpty().allMatch(l -> l.startsWith("http 192.0.2.1 "));
    }
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

  /** The health of a mirror's one suite over a scheme, or "" when not probed over it. */
  private static String scheme(JsonNode status, String id, String scheme) {
    for (JsonNode st : mirror(status, id).get("states")) {
      if (st.get("scheme").asText().equals(scheme)) {
        return st.get("health").asText();
      }
    }
    return "";
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
}
