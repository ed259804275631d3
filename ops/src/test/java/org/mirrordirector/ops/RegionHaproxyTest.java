package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.hosting.Haproxy;

/**
 * The region's HAProxy example ({@code ops/examples/production/region/haproxy.cfg}) run by the real
 * haproxy, its host names pointed at local stand-ins: clients go to a replica whose {@code /ready}
 * answers 200, and to the writer pair while none does. Skipped where haproxy is not installed
 * (ops/scripts/test.sh installs it); its twin, {@link
 * #theRegionsFileChecksReadinessAndKeepsTheWritersAsABackup}, reads the same rules from the file
 * and runs anywhere.
 */
class RegionHaproxyTest {
  @TempDir Path dir;

  /** A stand-in server: answers every path with its name, and /ready with the status set. */
  record Stand(HttpServer server, AtomicInteger ready) implements AutoCloseable {
    static Stand named(String name, int readyStatus) throws IOException {
      AtomicInteger ready = new AtomicInteger(readyStatus);
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      s.createContext(
          "/",
          x -> {
            byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
            int status = x.getRequestURI().getPath().equals("/ready") ? ready.get() : 200;
            x.sendResponseHeaders(status, body.length);
            x.getResponseBody().write(body);
            x.close();
          });
      s.start();
      return new Stand(s, ready);
    }

    int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  @Test
  void theRegionsClientsGoToAReadyReplicaAndToTheWritersWhileNoneIs() throws Exception {
    assumeTrue(Haproxy.available(), "haproxy is not installed");
    int front = TestNodes.freePort("127.0.0.1");
    try (Stand ap1 = Stand.named("replica-ap1", 503);
        Stand ap2 = Stand.named("replica-ap2", 503);
        Stand writers = Stand.named("writers", 200)) {
      String cfg =
          Files.readString(Path.of("examples/production/region/haproxy.cfg"))
              .replace("  bind :::80 v6only\n", "")
              .replace("bind :80", "bind 127.0.0.1:" + front)
              .replace("replica-ap1.example.org:8080", "127.0.0.1:" + ap1.port())
              .replace("replica-ap2.example.org:8080", "127.0.0.1:" + ap2.port())
              .replace("raspbian.example.org:80", "127.0.0.1:" + writers.port())
              .replace("log stdout format raw local0 warning", "")
              // the test's file descriptor limit, not a production host's
              .replace("maxconn 20000", "maxconn 4096");
      assertThat(cfg).doesNotContain("example.org");
      Path file = dir.resolve("haproxy.cfg");
      Files.writeString(file, cfg);
      Process p =
          new ProcessBuilder("haproxy", "-db", "-f", file.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("haproxy.log").toFile())
              .start();
      try {
        HttpClient http = HttpClient.newHttpClient();
        String url = "http://127.0.0.1:" + front + "/raspbian/dists/bookworm/InRelease";
        awaitServedBy(http, url, List.of("writers"), "no replica is ready: the writer pair");
        ap1.ready().set(200);
        awaitServedBy(http, url, List.of("replica-ap1"), "a replica ready: only it");
        ap2.ready().set(200);
        awaitServedBy(
            http, url, List.of("replica-ap1", "replica-ap2"), "both ready: both, and only them");
        ap1.ready().set(503);
        ap2.ready().set(503);
        awaitServedBy(http, url, List.of("writers"), "none ready again: the writer pair");
      } finally {
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The twin without haproxy: the rules the routing above comes from, read from the file. */
  @Test
  void theRegionsFileChecksReadinessAndKeepsTheWritersAsABackup() throws Exception {
    String cfg = Files.readString(Path.of("examples/production/region/haproxy.cfg"));
    String backend = cfg.substring(cfg.indexOf("backend replicas"));
    assertThat(cfg).containsPattern("(?m)^  default_backend replicas$");
    assertThat(backend)
        .containsPattern("(?m)^  option httpchk GET /ready$")
        .containsPattern("(?m)^  http-check expect status 200$")
        .containsPattern("(?m)^  server replica-ap1 \\S+ check$")
        .containsPattern("(?m)^  server replica-ap2 \\S+ check$")
        .containsPattern("(?m)^  server writers \\S+ check backup$");
    List<String> servers = backend.lines().filter(l -> l.startsWith("  server ")).toList();
    assertThat(servers).hasSize(3);
    assertThat(servers.stream().filter(l -> l.endsWith(" backup"))).hasSize(1);
  }

  /**
   * Until 20 requests in a row are answered by exactly the expected servers (each at least once).
   */
  private static void awaitServedBy(HttpClient http, String url, List<String> expected, String what)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<String> last = List.of();
    while (System.nanoTime() < deadline) {
      List<String> seen = new ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.ofString());
          seen.add(r.statusCode() + " " + r.body().strip());
        }
      } catch (IOException notYet) {
        seen.add(notYet.toString());
      }
      last = seen;
      List<String> names = seen.stream().map(s -> s.replaceFirst("^200 ", "")).toList();
      if (names.stream().allMatch(expected::contains) && names.containsAll(expected)) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError(what + ": expected " + expected + ", last answers " + last);
  }
}
