package org.mirrordirector.sync.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mirrordirector.failover.net.Addresses;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.mirrordirector.failover.net.Resolver;

/**
 * The node's outbound HTTP client against a real Jetty server that listens on one family only,
 * reached through a name that resolves to both (the test's resolver): the request goes to the
 * address that answers, under the name's Host header.
 */
@Timeout(60)
class OutboundHttpTest {
  private Server server;
  private OutboundHttp http;

  @AfterEach
  void stop() throws Exception {
    if (http != null) {
      http.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  /** A server on {@code host} that answers with the Host header it got, and redirects. */
  private int serve(String host) throws Exception {
    server = new Server();
    ServerConnector c = new ServerConnector(server);
    c.setHost(host);
    c.setPort(0);
    server.addConnector(c);
    server.setHandler(
        new Handler.Abstract.NonBlocking() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            if (path.startsWith("/to/")) {
              response.setStatus(302);
              response.getHeaders().put("Location", path.substring(3));
              callback.succeeded();
              return true;
            }
            if (path.equals("/loop")) {
              response.setStatus(302);
              response.getHeaders().put("Location", "/loop");
              callback.succeeded();
              return true;
            }
            response.getHeaders().put("Content-Type", "text/plain");
            response.write(
                true,
                java.nio.ByteBuffer.wrap(
                    ("host=" + request.getHeaders().get("Host") + " path=" + path)
                        .getBytes(StandardCharsets.UTF_8)),
                callback);
            return true;
          }
        });
    server.start();
    return c.getLocalPort();
  }

  private static OutboundHttp client(Resolver resolver) {
    return new OutboundHttp(
        "test-http",
        new HappyEyeballs(HappyEyeballs.STAGGER, resolver, null),
        Duration.ofSeconds(5),
        null,
        true,
        "mirrordirector-test/1");
  }

  private static final Resolver BOTH =
      host -> new InetAddress[] {InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")};

  @Test
  void reachesAnIpv4OnlyServerThroughANameWhoseIpv6AddressRefuses() throws Exception {
    int port = serve("127.0.0.1");
    http = client(BOTH);
    try (HttpAnswer a = http.get(URI.create("http://mirror.test:" + port + "/x"), Map.of())) {
      assertThat(a.status()).isEqualTo(200);
      assertThat(new String(a.body().readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("host=mirror.test:" + port + " path=/x");
      assertThat(Addresses.text(a.answeredBy().getAddress())).isEqualTo("127.0.0.1");
    }
    assertThat(http.eyeballs().lastAnswered("mirror.test", port))
        .contains(InetAddress.getByName("127.0.0.1"));
  }

  @Test
  void reachesAnIpv6OnlyServerTheSameWay() throws Exception {
    int port = serve("::1");
    http = client(BOTH);
    try (HttpAnswer a = http.head(URI.create("http://mirror.test:" + port + "/x"), Map.of())) {
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.body().read()).isEqualTo(-1);
      assertThat(Addresses.text(a.answeredBy().getAddress())).isEqualTo("::1");
    }
  }

  @Test
  void followsRedirectsButNotForever() throws Exception {
    int port = serve("127.0.0.1");
    http = client(BOTH);
    URI base = URI.create("http://mirror.test:" + port + "/");
    try (HttpAnswer a = http.get(base.resolve("to/there"), Map.of())) {
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.url().getPath()).isEqualTo("/there");
    }
    assertThatThrownBy(() -> http.get(base.resolve("loop"), Map.of()))
        .hasMessageContaining("more than 5 redirects");
    assertThat(http.sent()).isEqualTo(2 + 5);
  }

  @Test
  void aNameNoAddressOfWhichAnswersIsAConnectExceptionNamingEachAttempt() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    http = client(BOTH);
    assertThatThrownBy(() -> http.get(URI.create("http://mirror.test:" + port + "/"), Map.of()))
        .isInstanceOf(ConnectException.class)
        .hasMessage(
            "no address of mirror.test answered: connection refused at [::1]:"
                + port
                + "; connection refused at 127.0.0.1:"
                + port);
  }

  @Test
  void aServerThatNeverAnswersIsATimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      http =
          new OutboundHttp(
              "test-http",
              new HappyEyeballs(),
              Duration.ofMillis(500),
              null,
              true,
              "mirrordirector-test/1");
      assertThatThrownBy(
              () ->
                  http.get(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/"), Map.of()))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessage("no answer within 500 ms");
    }
  }
}
