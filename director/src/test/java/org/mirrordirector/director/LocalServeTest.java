package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
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
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.sync.archive.Sha256;

/**
 * The path on which the director serves a file itself (no mirror qualifies), under concurrent load
 * over real TCP: every byte arrives, clients that hang up mid-file cost nothing, and Jetty logs no
 * warning (a blocking stream closed after the response completed made it warn "Blocking.Shared
 * incomplete" once per file).
 */
class LocalServeTest {
  @TempDir Path dir;

  @Test
  void servesFilesLocallyUnderConcurrentLoadWithoutJettyWarnings() throws Exception {
    Path tree = dir.resolve("tree");
    String rel = "pool/main/b/big/big_1.0_armhf.deb";
    Path f = tree.resolve(rel);
    Files.createDirectories(f.getParent());
    byte[] data = new byte[3 << 20];
    new Random(7).nextBytes(data);
    Files.write(f, data);
    String sha = Sha256.hex(data);

    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new TeeStream(err, captured), true, StandardCharsets.UTF_8));
    ExecutorService pool = Executors.newFixedThreadPool(24);
    java.util.Set<Integer> aborted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    // No mirror at all: every request is served from the tree.
    TestDirector director = new TestDirector(ClusterView.empty(), FileKnowledge.empty(), tree);
    try {
      String url = director.root() + rel;
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      List<Future<String>> done = new ArrayList<>();
      for (int i = 0; i < 240; i++) {
        int n = i;
        done.add(
            pool.submit(
                () -> {
                  if (n % 6 == 5) {
                    // A client that reads the headers and a little, then hangs up.
                    try (Socket s = new Socket("127.0.0.1", director.port())) {
                      aborted.add(s.getLocalPort());
                      OutputStream o = s.getOutputStream();
                      o.write(
                          ("GET /raspbian/" + rel + " HTTP/1.1\r\nHost: d\r\n\r\n")
                              .getBytes(StandardCharsets.US_ASCII));
                      o.flush();
                      s.getInputStream().readNBytes(4096);
                    }
                    return "aborted";
                  }
                  HttpResponse<InputStream> r =
                      http.send(
                          HttpRequest.newBuilder(URI.create(url))
                              .timeout(Duration.ofSeconds(30))
                              .build(),
                          HttpResponse.BodyHandlers.ofInputStream());
                  assertThat(r.statusCode()).isEqualTo(200);
                  assertThat(r.headers().firstValue("X-Mirror")).hasValue("director");
                  try (InputStream in = r.body()) {
                    return Sha256.hex(in.readAllBytes());
                  }
                }));
      }
      int full = 0;
      for (Future<String> d : done) {
        String got = d.get(60, TimeUnit.SECONDS);
        if (!got.equals("aborted")) {
          assertThat(got).isEqualTo(sha);
          full++;
        }
      }
      assertThat(full).isEqualTo(200);
      HttpResponse<Void> head =
          http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .method("HEAD", HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(data.length);
      // The hang-ups noticed: the server has closed every connection a client hung up on (a
      // failed write is logged, if at all, before its connection closes).
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      java.util.Set<Integer> still = new java.util.HashSet<>(aborted);
      while (!still.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
        still.retainAll(director.openClientPorts());
      }
      assertThat(still).as("hung-up connections the server still holds").isEmpty();
    } finally {
      pool.shutdownNow();
      director.close();
      System.setErr(err);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).doesNotContain("incomplete").doesNotContain("WARN");
  }

  /** Copies everything written to two streams. */
  private static final class TeeStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
