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
      Map.of("2001:db8::10", TestFleet.GB, "2001:db8:5::7", TestFleet.DE);

  @BeforeAll
  static void start() throws Exception {
    TestFleet.create(dir);
    server = new Server();
    tcp = new ServerConnector(server);
    tcp.setHost("::1");
    tcp.setPort(0);
    server.addConnector(tcp);
    server.setHandler(
        new RedirectHandler(
            List.of("/raspbian/"),
            new MirrorSelector(SelectionPolicy.defaults()),
            TestFleet::fleet,
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
  void withoutAForwardedHeaderTheClientIsThePeerInItsUsualForm() throws Exception {
    JsonNode j =
        new ObjectMapper().readTree(get("/raspbian/dists/bookworm/InRelease?explain").body());
    assertThat(j.get("client").get("address").asText()).isEqualTo("::1");
  }
}
