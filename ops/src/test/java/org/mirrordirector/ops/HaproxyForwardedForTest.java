package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.director.TrustedProxies;
import org.mirrordirector.ops.hosting.Haproxy;

/**
 * What the director makes of the X-Forwarded-For that a real HAProxy, configured as the demo and
 * the production example are ({@code option forwardfor}), sends for a client that wrote one of its
 * own: HAProxy adds a header line of its own after the client's, and the director must take the
 * client's address from that line, not the client's claim in the first. A client on 127.0.0.2, the
 * proxy on 127.0.0.1 (the only trusted address); the backend is a Jetty handler that answers with
 * what the director's code reads. On IPv6 the loopback has one address only, so client and proxy
 * cannot differ there.
 *
 * <p>Skipped without haproxy (the test command installs it when run as root). Its twin that runs
 * everywhere, in both families: {@code
 * RedirectHandlerTest#aProxysOwnForwardedForLineCountsNotTheClientsEarlierOne}, the same header
 * lines as HAProxy writes them sent straight to the director.
 */
class HaproxyForwardedForTest {
  @TempDir Path dir;

  @Test
  void theClientsOwnForwardedForThroughHaproxyIsNotBelieved() throws Exception {
    assumeTrue(Haproxy.available(), "haproxy is not installed");
    TrustedProxies proxies = TrustedProxies.parse(List.of("127.0.0.1/32"));
    Server backend = new Server();
    ServerConnector c = new ServerConnector(backend);
    c.setHost("127.0.0.1");
    c.setPort(0);
    backend.addConnector(c);
    backend.setHandler(
        new Handler.Abstract.NonBlocking() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            String lines =
                String.join(" | ", request.getHeaders().getValuesList(HttpHeader.X_FORWARDED_FOR));
            String client =
                proxies.client(
                    Request.getRemoteAddr(request),
                    TrustedProxies.forwardedFor(request.getHeaders()));
            response.setStatus(200);
            response.write(
                true, StandardCharsets.UTF_8.encode(client + "\n" + lines + "\n"), callback);
            return true;
          }
        });
    backend.start();
    int front = TestNodes.freePort("127.0.0.1");
    try (Haproxy haproxy = new Haproxy(dir, front, List.of(c.getLocalPort()))) {
      String[] plain = ask(front, null).split("\n");
      assertThat(plain[0]).isEqualTo("127.0.0.2");
      String[] spoofed = ask(front, "81.2.69.160").split("\n");
      assertThat(spoofed[1])
          .as("HAProxy keeps the client's line and adds its own")
          .contains("81.2.69.160")
          .contains("127.0.0.2");
      assertThat(spoofed[0]).as("the client the director routes").isEqualTo("127.0.0.2");
      String[] chain = ask(front, "81.2.69.160, 127.0.0.1").split("\n");
      assertThat(chain[0])
          .as("a trusted address written by the client is still the client's claim")
          .isEqualTo("127.0.0.2");
    } finally {
      backend.stop();
    }
  }

  /** A GET from 127.0.0.2 through HAProxy, with the client's own X-Forwarded-For if not null. */
  private static String ask(int port, String forwardedFor) throws Exception {
    for (int attempt = 0; ; attempt++) {
      try (Socket s = new Socket()) {
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(
            ("GET /raspbian/dists/bookworm/InRelease HTTP/1.1\r\nHost: director\r\n"
                    + (forwardedFor == null ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n")
                    + "Connection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (response.startsWith("HTTP/1.1 200")) {
          return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
        // HAProxy answers 503 until its first health check of the backend has passed.
        if (attempt >= 50) {
          throw new AssertionError("HAProxy did not pass the request: " + response);
        }
        Thread.sleep(100);
      }
    }
  }
}
