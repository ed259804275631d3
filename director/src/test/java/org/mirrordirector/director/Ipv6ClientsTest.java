package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.FamilyState;
import org.mirrordirector.failover.MirrorState;
import org.mirrordirector.failover.MirrorView;

/**
 * The director behind an IPv6 load balancer: a real Jetty connector on {@code ::1} only, real HTTP
 * requests over {@code [::1]}, the balancer's {@code X-Forwarded-For} and {@code X-Forwarded-Proto}
 * believed because {@code ::1/128} is a trusted proxy (Jetty gives the peer as {@code
 * [0:0:0:0:0:0:0:1]}, which a string compare never matched).
 */
class Ipv6ClientsTest {
  @TempDir static Path dir;
  static Server server;
  static ServerConnector tcp;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Map<String, ClientLocation> WHERE =
      Map.of(
          "2001:db8::10", TestFleet.GB, "2001:db8:5::7", TestFleet.DE, "192.0.2.10", TestFleet.GB);
  static final java.util.concurrent.atomic.AtomicReference<org.mirrordirector.failover.ClusterView>
      VIEW = new java.util.concurrent.atomic.AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    TestFleet.create(dir);
    VIEW.set(TestFleet.fleet());
    server = new Server();
    tcp = new ServerConnector(server);
    tcp.setHost("::1");
    tcp.setPort(0);
    server.addConnector(tcp);
    server.setHandler(
        new RedirectHandler(
            List.of("/raspbian/"),
            new MirrorSelector(SelectionPolicy.defaults()),
            VIEW::get,
            () -> TestFleet.files,
            () -> Optional.of(TestFleet.s2Tree),
            TrustedProxies.parse(List.of("::1/128")),
            Ipv6ClientsTest::locate,
            RedirectStats.fiveMinutes(),
            new DirectorMetrics(TestFleet::fleet, () -> true, null)));
    server.start();
  }

  static ClientLocation locate(String a) {
    ClientLocation c = WHERE.get(a);
    return c == null
        ? ClientLocation.unknown(a)
        : new ClientLocation(a, c.country(), c.continent(), c.asn(), c.latitude(), c.longitude());
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://[::1]:" + tcp.getLocalPort() + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theBalancersForwardedHeadersAreBelievedOverIpv6() throws Exception {
    String deb = "/raspbian/" + TestFleet.inBoth;
    HttpResponse<String> de = get(deb, "X-Forwarded-For", "2001:db8:5:0:0:0:0:7");
    assertThat(de.statusCode()).isEqualTo(302);
    assertThat(de.headers().firstValue("X-Mirror")).hasValue("lagging-de");

    HttpResponse<String> gb =
        get(
            "/raspbian/dists/bookworm/InRelease",
            "X-Forwarded-For",
            "2001:db8::10",
            "X-Forwarded-Proto",
            "https");
    assertThat(gb.headers().firstValue("Location"))
        .as("an https client behind the balancer is never sent to http")
        .hasValue("https://current-gb.example.org/raspbian/dists/bookworm/InRelease");

    JsonNode j =
        new ObjectMapper()
            .readTree(get(deb + "?explain", "X-Forwarded-For", "2001:DB8::10").body());
    assertThat(j.get("client").get("address").asText()).isEqualTo("2001:db8::10");
    assertThat(j.get("client").get("country").asText()).isEqualTo("GB");
  }

  @Test
  void aMirrorWithoutWorkingIpv6IsNeverGivenToAnIpv6Client() throws Exception {
    org.mirrordirector.failover.ClusterView before = VIEW.get();
    Map<String, MirrorView> ms = new java.util.HashMap<>(before.mirrors());
    var gb = ms.get("current-gb");
    ms.put(
        "current-gb",
        new MirrorView(
            gb.config(),
            new MirrorState(
                "current-gb",
                gb.state().schemes(),
                gb.state().probedAtMillis(),
                Map.of(
                    "ipv4",
                    new FamilyState(true, "answers at 192.0.2.80:80"),
                    "ipv6",
                    new FamilyState(false, "no IPv6 address for current-gb.example.org")))));
    VIEW.set(TestFleet.view(ms));
    try {
      String inRelease = "/raspbian/dists/bookworm/InRelease";
      assertThat(get(inRelease, "X-Forwarded-For", "192.0.2.10").headers().firstValue("X-Mirror"))
          .as("an IPv4 client still goes there")
          .hasValue("current-gb");
      HttpResponse<String> v6 = get(inRelease, "X-Forwarded-For", "2001:db8::10");
      assertThat(v6.statusCode()).isEqualTo(302);
      assertThat(v6.headers().firstValue("X-Mirror")).isNotEqualTo(Optional.of("current-gb"));
      JsonNode j =
          new ObjectMapper()
              .readTree(get(inRelease + "?explain", "X-Forwarded-For", "2001:db8::10").body());
      JsonNode c = null;
      for (JsonNode x : j.get("candidates")) {
        if (x.get("mirror").asText().equals("current-gb")) {
          c = x;
        }
      }
      assertThat(c.get("reason").asText())
          .isEqualTo(
              "the client came over IPv6, and the mirror has no working IPv6 address: no IPv6"
                  + " address for current-gb.example.org");
      String deb = "/raspbian/" + TestFleet.inBoth;
      for (int i = 0; i < 20; i++) {
        assertThat(get(deb, "X-Forwarded-For", "2001:db8::10").headers().firstValue("X-Mirror"))
            .isNotEqualTo(Optional.of("current-gb"));
      }
      assertThat(get("/raspbian/mirrors.txt", "X-Forwarded-For", "2001:db8::10").body())
          .doesNotContain("current-gb");
      assertThat(get("/raspbian/mirrors.txt", "X-Forwarded-For", "192.0.2.10").body())
          .contains("current-gb");
    } finally {
      VIEW.set(before);
    }
  }

  @Test
  void aPoolFileNeverGoesToTheNearerMirrorWithoutIpv6() throws Exception {
    // Two mirrors: the nearer one answers over IPv4 only. The pool-file path is the fast one
    // (arrays of masks, not the per-mirror walk of ?explain): it must know the family too.
    org.mirrordirector.failover.ClusterView before = VIEW.get();
    Map<String, MirrorView> ms = new java.util.HashMap<>();
    var gb = before.mirrors().get("current-gb");
    ms.put(
        "current-gb",
        new MirrorView(
            gb.config(),
            TestFleet.families(
                gb.state(),
                new FamilyState(true, "answers"),
                new FamilyState(false, "no IPv6 address"))));
    ms.put("lagging-de", before.mirrors().get("lagging-de"));
    VIEW.set(TestFleet.view(ms));
    try {
      String deb = "/raspbian/" + TestFleet.inBoth;
      assertThat(get(deb, "X-Forwarded-For", "192.0.2.10").headers().firstValue("X-Mirror"))
          .hasValue("current-gb");
      for (String v6 : List.of("2001:db8::10", "2001:db8::11", "2001:db8::12")) {
        assertThat(get(deb, "X-Forwarded-For", v6).headers().firstValue("X-Mirror"))
            .as(v6)
            .hasValue("lagging-de");
      }
    } finally {
      VIEW.set(before);
    }
  }

  @Test
  void withoutAForwardedHeaderTheClientIsThePeerInItsUsualForm() throws Exception {
    JsonNode j =
        new ObjectMapper().readTree(get("/raspbian/dists/bookworm/InRelease?explain").body());
    assertThat(j.get("client").get("address").asText()).isEqualTo("::1");
  }
}
