package org.mirrordirector.sync.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.FamilyState;
import org.mirrordirector.failover.MirrorConfig;

/**
 * Whether a mirror answers over IPv4 and over IPv6, against real Jetty servers listening on
 * 127.0.0.1 only, on ::1 only, and on both. The host name {@code mirror.test} resolves to 127.0.0.1
 * and ::1 through the test's resolver (this machine's {@code localhost} is IPv4 only in
 * /etc/hosts); the connections and HTTP requests are real.
 */
class FamilyCheckTest {
  @TempDir static Path dir;
  static Path tree;
  static SSLContext tls;
  static Path keyStore;
  static final List<AutoCloseable> servers = new ArrayList<>();

  static final org.mirrordirector.failover.net.Resolver BOTH =
      host -> {
        if (!host.equals("mirror.test")) {
          throw new UnknownHostException(host);
        }
        return new InetAddress[] {InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")};
      };

  @BeforeAll
  static void setUp() throws Exception {
    tree = dir.resolve("tree");
    Files.createDirectories(tree.resolve("raspbian/dists/bookworm"));
    Files.writeString(tree.resolve("raspbian/dists/bookworm/InRelease"), "signed text");
    keyStore = Tls.keyStore(dir);
    tls = Tls.trusting(keyStore);
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable s : servers) {
      s.close();
    }
  }

  static TestMirror keep(TestMirror m) {
    servers.add(m);
    return m;
  }

  static MirrorConfig mirror(String url) {
    return new MirrorConfig(
        "m1",
        Map.of(url.substring(0, url.indexOf(':')), url),
        "GB",
        "EU",
        null,
        null,
        null,
        List.of(),
        100,
        List.of(),
        true,
        false);
  }

  static Map<String, FamilyState> check(String url) {
    return new FamilyCheck(Duration.ofSeconds(3), tls, BOTH).check(mirror(url), "bookworm");
  }

  @Test
  void aMirrorOn127001OnlyIsIpv4Only() throws Exception {
    TestMirror m = keep(TestMirror.httpOn(tree, "127.0.0.1"));
    Map<String, FamilyState> f = check("http://mirror.test:" + m.base().getPort() + "/raspbian");
    assertThat(f.get("ipv4"))
        .isEqualTo(new FamilyState(true, "answers at 127.0.0.1:" + m.base().getPort()));
    assertThat(f.get("ipv6").works()).isFalse();
    assertThat(f.get("ipv6").detail())
        .isEqualTo("connection refused at [::1]:" + m.base().getPort());
  }

  @Test
  void aMirrorWithAnIpv6LiteralIsIpv6Only() throws Exception {
    TestMirror m = keep(TestMirror.httpOn(tree, "::1"));
    Map<String, FamilyState> f = check("http://[::1]:" + m.base().getPort() + "/raspbian/");
    assertThat(f.get("ipv6"))
        .isEqualTo(new FamilyState(true, "answers at [::1]:" + m.base().getPort()));
    assertThat(f.get("ipv4"))
        .isEqualTo(
            new FamilyState(
                false, "no IPv4 address (the URL names an address of the other family)"));
  }

  @Test
  void aMirrorOnEveryAddressAnswersOverBothAndOverTlsWithItsName() throws Exception {
    TestMirror plain = keep(TestMirror.httpOn(tree, "::"));
    Map<String, FamilyState> f =
        check("http://mirror.test:" + plain.base().getPort() + "/raspbian");
    assertThat(f.values()).allMatch(FamilyState::works);
    TestMirror secure = keep(TestMirror.httpsOn(tree, keyStore, "::"));
    Map<String, FamilyState> s =
        check("https://mirror.test:" + secure.base().getPort() + "/raspbian");
    assertThat(s.get("ipv4").works()).as(s.toString()).isTrue();
    assertThat(s.get("ipv6").works()).as(s.toString()).isTrue();
  }

  @Test
  void anIpv6AddressThatAnswers404DoesNotWork() throws Exception {
    // The classic fault: the AAAA record lands on a default virtual host without the archive.
    TestMirror v6 = keep(TestMirror.failingOn(tree, 404, "::1"));
    Map<String, FamilyState> f = check("http://[::1]:" + v6.base().getPort() + "/raspbian");
    assertThat(f.get("ipv6"))
        .isEqualTo(
            new FamilyState(
                false,
                "HTTP 404 for /raspbian/dists/bookworm/InRelease at [::1]:" + v6.base().getPort()));
  }

  @Test
  void anUnknownHostWorksOverNeither() {
    Map<String, FamilyState> f = check("http://nowhere.test/raspbian");
    assertThat(f.get("ipv4")).isEqualTo(new FamilyState(false, "host nowhere.test not found"));
    assertThat(f.get("ipv6")).isEqualTo(new FamilyState(false, "host nowhere.test not found"));
  }
}
