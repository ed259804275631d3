package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;

class NodeEndpointsTest {
  @Test
  void leaderAndReadyFollowTheNodeAndOtherPathsPassThrough() throws Exception {
    AtomicBoolean leader = new AtomicBoolean(false);
    AtomicReference<Optional<String>> notReady =
        new AtomicReference<>(Optional.of("no verified snapshot yet"));
    Server server = new Server();
    LocalConnector c = new LocalConnector(server);
    server.addConnector(c);
    server.setHandler(
        new NodeEndpoints(
            leader::get,
            notReady::get,
            new Handler.Abstract() {
              @Override
              public boolean handle(
                  org.eclipse.jetty.server.Request request,
                  Response response,
                  org.eclipse.jetty.util.Callback callback) {
                response.setStatus(418);
                callback.succeeded();
                return true;
              }
            }));
    server.start();
    try {
      assertThat(get(c, "/leader").getStatus()).isEqualTo(503);
      HttpTester.Response r = get(c, "/ready");
      assertThat(r.getStatus()).isEqualTo(503);
      assertThat(r.getContent()).isEqualTo("no verified snapshot yet\n");
      leader.set(true);
      notReady.set(Optional.empty());
      assertThat(get(c, "/leader").getStatus()).isEqualTo(200);
      assertThat(get(c, "/ready").getStatus()).isEqualTo(200);
      assertThat(get(c, "/raspbian/dists/bookworm/InRelease").getStatus()).isEqualTo(418);
      assertThat(get(c, "/leader/x").getStatus()).isEqualTo(418);
    } finally {
      server.stop();
    }
  }

  static HttpTester.Response get(LocalConnector c, String path) throws Exception {
    return HttpTester.parseResponse(
        c.getResponse("GET " + path + " HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n"));
  }
}
