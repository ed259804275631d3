package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorView;

/**
 * The redirector over a real Jetty server (LocalConnector), with the fleet of {@link TestFleet}.
 */
class RedirectHandlerTest {
  @TempDir static Path dir;
  static Server server;
  static LocalConnector connector;
  static org.eclipse.jetty.server.ServerConnector tcp;
  static final AtomicReference<ClusterView> VIEW = new AtomicReference<>();
  static final Map<String, ClientLocation> WHERE = new HashMap<>();
  static final RedirectStats STATS = RedirectStats.fiveMinutes();
  static final DirectorMetrics METRICS =
      new DirectorMetrics(
          VIEW::get, () -> false, new org.eclipse.jetty.server.handler.DefaultHandler());

  @BeforeAll
  static void start() throws Exception {
    TestFleet.create(dir);
    VIEW.set(TestFleet.fleet());
    WHERE.put("192.0.2.10", TestFleet.GB);
    WHERE.put("198.51.100.7", TestFleet.DE);
    server = new Server();
    connector = new LocalConnector(server);
    server.addConnector(connector);
    tcp = new org.eclipse.jetty.server.ServerConnector(server);
    tcp.setHost("127.0.0.1");
    tcp.setPort(0);
    server.addConnector(tcp);
    server.setHandler(
        new RedirectHandler(
            List.of("/raspbian/"),
            new MirrorSelector(SelectionPolicy.defaults()),
            VIEW::get,
            () -> TestFleet.files,
            () -> Optional.of(TestFleet.s2Tree),
            // The LocalConnector's peer is 0.0.0.0: it stands for the trusted proxy. The TCP
            // connector's peer, 127.0.0.1, is not trusted.
            TrustedProxies.parse(List.of("0.0.0.0/32", "10.0.0.0/8")),
            a -> WHERE.getOrDefault(a, ClientLocation.unknown(a)),
            STATS,
            METRICS));
    server.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
  }

  static HttpTester.Response get(String target, String... headers) throws Exception {
    StringBuilder req = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: director\r\n");
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    req.append("Connection: close\r\n\r\n");
    return HttpTester.parseResponse(connector.getResponse(req.toString()));
  }

  @Test
  void inReleaseIsRedirectedToAMirrorAtTheCurrentSnapshot() throws Exception {
    HttpTester.Response r =
        get("/raspbian/dists/bookworm/InRelease", "X-Forwarded-For: 192.0.2.10");
    assertThat(r.getStatus()).isEqualTo(302);
    assertThat(r.get("Location"))
        .isEqualTo("http://current-gb.example.org/raspbian/dists/bookworm/InRelease");
    assertThat(r.get("Cache-Control")).isEqualTo("no-store");
    assertThat(r.get("X-Mirror")).isEqualTo("current-gb");
  }

  @Test
  void theForwardedProtoOfATrustedProxyKeepsHttpsClientsOnHttps() throws Exception {
    HttpTester.Response r =
        get(
            "/raspbian/dists/bookworm/InRelease",
            "X-Forwarded-For: 192.0.2.10",
            "X-Forwarded-Proto: https");
    assertThat(r.get("Location")).startsWith("https://");
  }

  @Test
  void aPoolFileFollowsTheClientsLocationFromATrustedProxyOnly() throws Exception {
    String deb = "/raspbian/" + TestFleet.inBoth;
    HttpTester.Response de = get(deb, "X-Forwarded-For: 198.51.100.7");
    assertThat(de.get("X-Mirror")).isEqualTo("lagging-de");
    // A peer that is not a trusted proxy cannot claim to be somewhere else.
    java.net.http.HttpResponse<String> spoofed =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://127.0.0.1:" + tcp.getLocalPort() + deb + "?explain"))
                    .header("X-Forwarded-For", "198.51.100.7")
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    JsonNode j = new ObjectMapper().readTree(spoofed.body());
    assertThat(j.get("client").get("address").asText()).isEqualTo("127.0.0.1");
    assertThat(j.get("client").get("country").isNull()).isTrue();
  }

  @Test
  void aProxysOwnForwardedForLineCountsNotTheClientsEarlierOne() throws Exception {
    // HAProxy's "option forwardfor" adds a line of its own after the client's: the first line is
    // whatever the client wrote.
    String deb = "/raspbian/" + TestFleet.inBoth + "?explain";
    for (String[] headers :
        List.of(
            new String[] {"X-Forwarded-For: 198.51.100.7", "X-Forwarded-For: 192.0.2.10"},
            new String[] {"X-Forwarded-For: 198.51.100.7, 192.0.2.10"},
            new String[] {
              "X-Forwarded-For: 198.51.100.7", "User-Agent: apt", "x-forwarded-for: 192.0.2.10"
            })) {
      JsonNode j = new ObjectMapper().readTree(get(deb, headers).getContent());
      assertThat(j.get("client").get("address").asText())
          .as(String.join(" | ", headers))
          .isEqualTo("192.0.2.10");
    }
    // The same over IPv6: the proxy's line names the client.
    JsonNode v6 =
        new ObjectMapper()
            .readTree(
                get(deb, "X-Forwarded-For: 2001:db8::7", "X-Forwarded-For: 2001:db8:0:0::99")
                    .getContent());
    assertThat(v6.get("client").get("address").asText()).isEqualTo("2001:db8::99");
    // The nearest proxy's X-Forwarded-Proto, the last line, counts too.
    HttpTester.Response r =
        get(
            "/raspbian/dists/bookworm/InRelease",
            "X-Forwarded-Proto: http",
            "X-Forwarded-For: 192.0.2.10",
            "X-Forwarded-Proto: https");
    assertThat(r.get("Location")).startsWith("https://");
  }

  @Test
  void explainReturnsEveryCandidateWithItsReason() throws Exception {
    HttpTester.Response r =
        get("/raspbian/dists/bookworm/InRelease?explain", "X-Forwarded-For: 192.0.2.10");
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(r.get("Content-Type")).isEqualTo("application/json");
    JsonNode j = new ObjectMapper().readTree(r.getContent());
    assertThat(j.get("outcome").asText()).isEqualTo("REDIRECT");
    assertThat(j.get("chosen").asText()).isEqualTo("current-gb");
    assertThat(j.get("candidates")).hasSize(8);
    assertThat(j.get("candidates").findValuesAsText("reason"))
        .contains("drained", "not probed yet");
  }

  @Test
  void withNoMirrorTheFileIsServedFromTheVerifiedSnapshot() throws Exception {
    ClusterView before = VIEW.get();
    Map<String, MirrorView> down = new HashMap<>();
    down.put(
        "down",
        TestFleet.m(
            TestFleet.mirror("down", "GB", true, List.of()),
            TestFleet.state("down", TestFleet.s2, Health.DOWN, null)));
    VIEW.set(TestFleet.view(down));
    try {
      HttpTester.Response r = get("/raspbian/dists/bookworm/InRelease");
      assertThat(r.getStatus()).isEqualTo(200);
      assertThat(r.get("X-Mirror")).isEqualTo("director");
      assertThat(r.getContentBytes())
          .isEqualTo(Files.readAllBytes(TestFleet.s2Tree.resolve("dists/bookworm/InRelease")));
      assertThat(get("/raspbian/pool/main/n/nothing/nothing_1_armhf.deb").getStatus())
          .isEqualTo(404);
    } finally {
      VIEW.set(before);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/raspbian/pool/%2e%2e/%2e%2e/etc/passwd",
        "/raspbian/pool/..%2f..%2fetc/passwd",
        "/raspbian/pool/a%0d%0aSet-Cookie:%20x=1",
        "/raspbian/pool/a%5c..%5cb",
        "/raspbian//pool/x.deb",
      })
  void unsafePathsAre400AndNeverReachALocation(String target) throws Exception {
    HttpTester.Response r = get(target, "X-Forwarded-For: 192.0.2.10");
    assertThat(r.getStatus()).isEqualTo(400);
    assertThat(r.get("Location")).isNull();
    assertThat(r.get("Set-Cookie")).isNull();
  }

  @Test
  void otherMethodsAre405AndUnknownRootsAre404() throws Exception {
    HttpTester.Response post =
        HttpTester.parseResponse(
            connector.getResponse(
                "POST /raspbian/dists/bookworm/InRelease HTTP/1.1\r\nHost: d\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n"));
    assertThat(post.getStatus()).isEqualTo(405);
    assertThat(post.get("Allow")).isEqualTo("GET, HEAD");
    assertThat(get("/ubuntu/dists/noble/InRelease").getStatus()).isEqualTo(404);
  }

  @Test
  void mirrorsTxtListsOnlyMirrorsAtTheCurrentSnapshotRankedForTheClient() throws Exception {
    HttpTester.Response r = get("/raspbian/mirrors.txt", "X-Forwarded-For: 192.0.2.10");
    assertThat(r.getStatus()).isEqualTo(200);
    List<String> lines = List.of(r.getContent().split("\n"));
    assertThat(lines).hasSize(3);
    assertThat(lines.subList(0, 2).stream().map(l -> l.substring(0, l.indexOf('\t'))))
        .containsExactlyInAnyOrder(
            "http://current-gb.example.org/raspbian/", "http://http-only.example.org/raspbian/");
    assertThat(lines.stream().map(l -> l.substring(l.indexOf('\t') + 1)))
        .containsExactly("priority:1", "priority:2", "priority:3");
    assertThat(lines.get(2))
        .as("the director itself, last")
        .startsWith("http://director/raspbian/");
    HttpTester.Response https =
        get("/raspbian/mirrors.txt", "X-Forwarded-For: 192.0.2.10", "X-Forwarded-Proto: https");
    assertThat(https.getContent())
        .isEqualTo(
            "https://current-gb.example.org/raspbian/\tpriority:1\n"
                + "https://director/raspbian/\tpriority:2\n");
  }

  @Test
  void mirrorsTxtIsTheDirectorAloneWhileNoMirrorHasTheCurrentSnapshot() throws Exception {
    ClusterView before = VIEW.get();
    Map<String, MirrorView> behind = new HashMap<>();
    behind.put(
        "behind",
        TestFleet.m(
            TestFleet.mirror("behind", "GB", true, List.of()),
            TestFleet.state("behind", TestFleet.s1, Health.LAGGING, null)));
    VIEW.set(TestFleet.view(behind));
    try {
      // Right after a publication no mirror has copied it: apt's mirror+http must not fail.
      HttpTester.Response r = get("/raspbian/mirrors.txt", "X-Forwarded-For: 192.0.2.10");
      assertThat(r.getStatus()).isEqualTo(200);
      assertThat(r.getContent()).isEqualTo("http://director/raspbian/\tpriority:1\n");
      HttpTester.Response v6 =
          HttpTester.parseResponse(
              connector.getResponse(
                  "GET /raspbian/mirrors.txt HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n"
                      + "Connection: close\r\n\r\n"));
      assertThat(v6.getContent()).isEqualTo("http://[2001:db8::1]:8080/raspbian/\tpriority:1\n");
      // A Host header that cannot be written back into a URL is left out: nothing to list.
      HttpTester.Response odd =
          HttpTester.parseResponse(
              connector.getResponse(
                  "GET /raspbian/mirrors.txt HTTP/1.1\r\nHost: a_b\r\n"
                      + "Connection: close\r\n\r\n"));
      assertThat(odd.getStatus()).isEqualTo(503);
      assertThat(odd.getContent()).contains("no mirror is at the current snapshot");
    } finally {
      VIEW.set(before);
    }
  }

  @Test
  void metricsCountRedirectsFallbacksErrorsAndSelections() throws Exception {
    get("/raspbian/dists/bookworm/InRelease", "X-Forwarded-For: 192.0.2.10");
    get("/raspbian/pool/a%22b.deb"); // refused by the director itself (Jetty passes it)
    String text = METRICS.text();
    assertThat(text)
        .contains("# TYPE md_redirects_total counter")
        .containsPattern("md_redirects_total\\{kind=\"release\",mirror=\"current-gb\"\\} [1-9]")
        .containsPattern("md_error_responses_total\\{status=\"400\"\\} [1-9]")
        .containsPattern("md_selection_seconds_count [1-9]")
        .contains(
            "md_mirror_health{health=\"lagging\",mirror=\"lagging-de\",scheme=\"http\",suite=\"bookworm\"} 1.0")
        .contains(
            "md_mirror_lag_seconds{mirror=\"lagging-de\",scheme=\"http\",suite=\"bookworm\"} 600.0")
        .contains("md_zookeeper_connected 1.0")
        .contains("md_serving_as_leader 0.0");
  }

  @Test
  void theExplainHeaderIsHonouredOnlyFromATrustedPeer() throws Exception {
    HttpTester.Response trusted =
        get(
            "/raspbian/dists/bookworm/InRelease",
            "X-Forwarded-For: 192.0.2.10",
            "X-Mirror-Explain: 1");
    assertThat(trusted.getStatus()).isEqualTo(200);
    assertThat(trusted.get("Content-Type")).isEqualTo("application/json");
    java.net.http.HttpResponse<String> untrusted =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://127.0.0.1:"
                                + tcp.getLocalPort()
                                + "/raspbian/dists/bookworm/InRelease"))
                    .header("X-Mirror-Explain", "1")
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(untrusted.statusCode()).isEqualTo(302);
  }

  @Test
  void aHugeHeaderIsRefusedAndTheDirectorGoesOn() throws Exception {
    String req =
        "GET /raspbian/dists/bookworm/InRelease HTTP/1.1\r\nHost: d\r\nX-Big: "
            + "a".repeat(64 * 1024)
            + "\r\nConnection: close\r\n\r\n";
    // In memory, the whole request is read and the answer kept: it must be the 431.
    String answer = connector.getResponse(req, 10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(answer).as("the answer to a 64 KiB header").startsWith("HTTP/1.1 431");
    // Over TCP the same request: Jetty answers 431 and closes with the rest of the header unread,
    // so the kernel may reset the connection before the client reads the answer (Linux drops the
    // unread answer on a reset). Either way the connection ends, and nothing else may come back.
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", tcp.getLocalPort())) {
      s.setSoTimeout(10_000);
      String status;
      try {
        s.getOutputStream().write(req.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        status =
            new java.io.BufferedReader(
                    new java.io.InputStreamReader(
                        s.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
                .readLine();
      } catch (java.net.SocketException reset) {
        status = "reset";
      }
      assertThat(status).matches("HTTP/1\\.1 431 .*|reset");
    }
    assertThat(get("/raspbian/dists/bookworm/InRelease", "X-Forwarded-For: 192.0.2.10").getStatus())
        .isEqualTo(302);
  }
}
