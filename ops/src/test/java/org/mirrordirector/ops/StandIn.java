package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mirrordirector.ops.process.ChildProcesses;

/**
 * A stand-in for a node or a replica behind a real HAProxy: answers every path with its name, with
 * 200, except the health paths whose status a test sets ({@code /ready}, {@code /leader}).
 */
public record StandIn(String name, HttpServer server, Map<String, Integer> statuses)
    implements AutoCloseable {
  public static StandIn named(String name, Map<String, Integer> healthStatuses) throws IOException {
    Map<String, Integer> statuses = new ConcurrentHashMap<>(healthStatuses);
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext(
        "/",
        x -> {
          byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
          int status = statuses.getOrDefault(x.getRequestURI().getPath(), 200);
          x.sendResponseHeaders(status, body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    s.start();
    return new StandIn(name, s, statuses);
  }

  public void set(String path, int status) {
    statuses.put(path, status);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /**
   * A production example of HAProxy's run by the real haproxy on {@code 127.0.0.1:front}, each
   * {@code host:port} of {@code standIns} pointed at the stand-in's port; stop it with {@link
   * org.mirrordirector.ops.process.ChildProcesses#stop}.
   */
  public static Process haproxyExample(
      Path dir, Path example, int front, Map<String, StandIn> standIns) throws Exception {
    String cfg =
        Files.readString(example)
            .replace("  bind :::80 v6only\n", "")
            .replace("bind :80", "bind 127.0.0.1:" + front)
            .replace("log stdout format raw local0 warning", "")
            // the test's file descriptor limit, not a production host's
            .replace("maxconn 20000", "maxconn 4096");
    for (Map.Entry<String, StandIn> e : standIns.entrySet()) {
      cfg = cfg.replace(e.getKey(), "127.0.0.1:" + e.getValue().port());
    }
    assertThat(cfg).doesNotContain("example.org");
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, cfg);
    Process p =
        new ProcessBuilder("haproxy", "-db", "-f", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("haproxy.log").toFile())
            .start();
    ChildProcesses.awaitListening(p, "haproxy", "127.0.0.1", front, dir.resolve("haproxy.log"));
    return p;
  }

  /**
   * Until 20 requests in a row are answered by exactly the expected servers (each at least once);
   * on the deadline, fails with the last 20 answers.
   */
  public static void awaitServedBy(HttpClient http, String url, List<String> expected, String what)
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
