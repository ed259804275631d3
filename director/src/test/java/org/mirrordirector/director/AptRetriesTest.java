package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.sync.archive.Apt;

/**
 * Where apt's retries go after a redirect, with apt's default settings (three retries, with a
 * growing delay): to the mirror that the 302 named, never back to the director. A plain {@code
 * http} client that the director sent to a mirror which then drops off therefore fails at that
 * mirror, whatever the director learns meanwhile; the director can only send fewer clients there,
 * sooner. The mirror here reads each request's first line, then resets the connection.
 */
class AptRetriesTest {
  @TempDir Path dir;

  @Test
  void afterARedirectAptRetriesAtTheMirrorNotAtTheDirector() throws Exception {
    TestFleet.create(dir);
    try (ResettingMirror dropped = new ResettingMirror()) {
      MirrorConfig c = TestFleet.httpMirror("dropped", dropped.base());
      // The registry still has it OK: the drop happened after its last check.
      var view =
          TestFleet.view(
              Map.of(
                  "dropped",
                  TestFleet.m(c, TestFleet.state("dropped", TestFleet.s2, Health.OK, null))));
      try (TestDirector director = new TestDirector(view, TestFleet.files, TestFleet.s2Tree)) {
        Apt apt = Apt.withDefaults(dir.resolve("apt"));
        apt.sources(
            "deb [signed-by=" + TestFleet.keyring + "] " + director.root() + " bookworm main");
        Apt.Attempt a = apt.attempt("apt-get", "update");

        assertThat(a.ok()).as(a.output()).isFalse();
        long redirects = director.stats.counts().getOrDefault("dropped", 0L);
        assertThat(redirects).as("the director sent apt to the mirror").isPositive();
        assertThat(dropped.requests.keySet())
            .as("the mirror was asked for exactly the files the director redirected")
            .hasSize((int) redirects);
        for (Map.Entry<String, AtomicInteger> e : dropped.requests.entrySet()) {
          assertThat(e.getValue().get())
              .as("%s: the first request and apt's three retries, all at the mirror", e.getKey())
              .isGreaterThanOrEqualTo(4);
        }
      }
    }
  }

  /** An HTTP port on 127.0.0.1 that reads a request's first line, counts it, and resets. */
  private static final class ResettingMirror implements AutoCloseable {
    final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Thread acceptor = new Thread(this::serve, "resetting-mirror");

    ResettingMirror() throws IOException {
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String base() {
      return "http://127.0.0.1:" + server.getLocalPort() + "/";
    }

    private void serve() {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          s.setSoTimeout(5000);
          String line =
              new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                  .readLine();
          if (line != null) {
            String path = line.split(" ").length > 1 ? line.split(" ")[1] : line;
            requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
          }
          s.setSoLinger(true, 0); // closing now sends a reset, as a mirror that dropped off does
        } catch (IOException e) {
          // closed, or a client that went away: the next one
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
