package org.mirrordirector.ops.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.drill.Figure;

/**
 * A soak that ends in a failover (its last fault) still records itself: the admin API is asked
 * again while no node takes the record, and a refusal of another kind is not.
 */
class SoakRecordTest {
  @TempDir Path dir;

  private final AtomicInteger calls = new AtomicInteger();

  private HttpServer server(int unavailable, int finalStatus) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext(
        "/admin/drills",
        x -> {
          int n = calls.incrementAndGet();
          int status = n <= unavailable ? 503 : finalStatus;
          byte[] body =
              (status == 200 ? "drill soak-1 recorded in epoch 3" : "switching over, try again")
                  .getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(status, body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    s.start();
    return s;
  }

  private NodeClient client(HttpServer s) throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "secret\n");
    return NodeClient.of("http://127.0.0.1:" + s.getAddress().getPort() + "/", token, null);
  }

  private static SoakResult report() {
    return new SoakResult(
        "soak-1",
        Instant.parse("2026-12-07T10:00:00Z"),
        Instant.parse("2026-12-07T10:01:00Z"),
        null,
        Duration.ofSeconds(15),
        List.of(new Figure("failed", 0, "", "= 0", true)),
        Map.of(),
        List.of(),
        Map.of(),
        Map.of(),
        List.of(),
        List.of(),
        Map.of(),
        Map.of(),
        Map.of(),
        List.of());
  }

  @Test
  void aRecordRefusedWhileTheNodesSwitchOverIsTriedAgainUntilItIsTaken() throws Exception {
    HttpServer s = server(2, 200);
    try {
      String said = SoakReport.record(client(s), report(), Duration.ofSeconds(30));
      assertThat(said).isEqualTo("drill soak-1 recorded in epoch 3");
      assertThat(calls).hasValue(3);
    } finally {
      s.stop(0);
    }
  }

  @Test
  void otherRefusalsAndAnExhaustedPatienceAreReportedNotRetried() throws Exception {
    HttpServer s = server(0, 400);
    try {
      assertThat(SoakReport.record(client(s), report(), Duration.ofSeconds(30)))
          .startsWith("not recorded in the registry: 400");
      assertThat(calls).hasValue(1);
    } finally {
      s.stop(0);
    }
    calls.set(0);
    HttpServer busy = server(Integer.MAX_VALUE, 200);
    try {
      assertThat(SoakReport.record(client(busy), report(), Duration.ZERO))
          .startsWith("not recorded in the registry: 503");
      assertThat(calls).hasValue(1);
    } finally {
      busy.stop(0);
    }
  }
}
