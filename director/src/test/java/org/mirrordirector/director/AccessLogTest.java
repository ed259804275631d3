package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.RegistryPaths;

/**
 * The access log over real TCP: one NCSA combined line per request with the client a trusted proxy
 * named, the mirror chosen and its tier; client text escaped so that it cannot forge a line; files
 * rotated at their size by logback and gzipped, no line lost, not even across a restart.
 */
class AccessLogTest {
  @TempDir static Path dir;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  static final String LINE =
      "^(\\S+) - - \\[\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000\\] \"([^\"\\\\]|\\\\.)*\""
          + " \\d{3} (\\d+|-) \"([^\"\\\\]|\\\\.)*\" \"([^\"\\\\]|\\\\.)*\" \\S+ \\S+$";

  @BeforeAll
  static void fleet() throws Exception {
    TestFleet.create(dir);
  }

  @Test
  void oneCombinedLinePerRequestWithTheMirrorAndWhy() throws Exception {
    Path log = dir.resolve("logs/access.log");
    DirectorServer d = start(new AccessLogSettings(log.toString(), 1 << 20, 7));
    try {
      HttpResponse<String> r =
          get(
              d,
              "/raspbian/dists/bookworm/InRelease",
              "X-Forwarded-For",
              "2001:db8::7",
              "User-Agent",
              "Debian APT-HTTP/1.3 (2.6.1) \"quoted\" \\back");
      assertThat(r.statusCode()).isEqualTo(302);
      assertThat(get(d, "/raspbian/pool/a%22b.deb").statusCode()).isEqualTo(400);
      assertThat(get(d, "/status.json", "Referer", "http://example.org/").statusCode())
          .isEqualTo(200);
      // A client that tries to end the line and start a forged one.
      raw(d, "GET /raspbian/x\u0001y HTTP/1.1\r\nHost: d\r\nUser-Agent: a\"\tb\r\n\r\n");
    } finally {
      d.close(); // flushes the queue
    }
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).hasSizeGreaterThanOrEqualTo(3);
    assertThat(lines).allSatisfy(l -> assertThat(l).matches(LINE));
    assertThat(lines.get(0))
        .startsWith("2001:db8::7 - - [")
        .contains(
            "] \"GET /raspbian/dists/bookworm/InRelease HTTP/1.1\" 302 - \"-\""
                + " \"Debian APT-HTTP/1.3 (2.6.1) \\\"quoted\\\" \\\\back\" current-gb country");
    assertThat(lines.get(1))
        .startsWith("127.0.0.1 - - [")
        .contains("\"GET /raspbian/pool/a%22b.deb HTTP/1.1\" 400 ")
        .endsWith(" - -");
    assertThat(lines.get(2))
        .containsPattern("\"GET /status.json HTTP/1.1\" 200 [1-9][0-9]* \"http://example.org/\"");
    assertThat(String.join("\n", lines)).doesNotContain("\t").doesNotContain("\u0001");
  }

  /**
   * Two lifetimes of the log on one file, as across a restart: logback counts only the plain files
   * it sees and starts again at {@code .0}, which must not overwrite the first run's gzips.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void filesAreRotatedAtTheirSizeGzippedOrNotAndARestartLosesNothing(boolean compress)
      throws Exception {
    Path log = dir.resolve("rotated-" + compress + "/access.log");
    String line =
        "192.0.2.1 - - [30/Nov/2026:12:00:00 +0000] \"GET /x HTTP/1.1\" 302 - \"-\" \""
            + "a".repeat(150)
            + "\" m country";
    for (int run = 0; run < 2; run++) {
      try (AccessLog a =
          new AccessLog(
              new AccessLogSettings(log.toString(), 1 << 20, 7, compress), TrustedProxies.none())) {
        // 3 MiB over three seconds: the size is looked at every second.
        for (int s = 0; s < 3; s++) {
          for (int i = 0; i < 5_000; i++) {
            a.write(line);
          }
          Thread.sleep(1_100);
        }
        assertThat(a.dropped()).isZero();
        if (compress) {
          assertThat(a.compressesAtLowPriority())
              .isEqualTo(Files.exists(Path.of("/proc/thread-self")));
        }
      }
    }
    List<Path> rotated;
    try (Stream<Path> s = Files.list(log.getParent())) {
      rotated = s.filter(p -> !p.getFileName().toString().equals("access.log")).sorted().toList();
    }
    assertThat(rotated).hasSizeGreaterThanOrEqualTo(4);
    long lines = Files.readAllLines(log).size();
    for (Path gz : rotated) {
      assertThat(gz.getFileName().toString())
          .matches("access\\.log\\.\\d{4}-\\d\\d-\\d\\d\\.\\d+" + (compress ? "\\.gz" : ""));
      try (InputStream in =
          compress ? new GZIPInputStream(Files.newInputStream(gz)) : Files.newInputStream(gz)) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(text.lines()).allMatch(line::equals);
        lines += text.lines().count();
      }
    }
    assertThat(lines).as("every line, in the current file or a rotated one").isEqualTo(30_000);
  }

  /** A client over IPv6, straight to the director (no proxy): its address in the usual form. */
  @Test
  void anIpv6ClientIsLoggedByItsAddress() throws Exception {
    Path log = dir.resolve("ipv6/access.log");
    DirectorServer d = start("::1", new AccessLogSettings(log.toString(), 1 << 20, 7));
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://[::1]:" + d.port() + "/raspbian/dists/bookworm/InRelease"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(302);
    } finally {
      d.close();
    }
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).singleElement().asString().matches(LINE).startsWith("::1 - - [");
    assertThat(lines.get(0)).contains("\"GET /raspbian/dists/bookworm/InRelease HTTP/1.1\" 302 ");
  }

  @Test
  void linesAreWrittenInUtf8() throws Exception {
    Path log = dir.resolve("utf8/access.log");
    try (AccessLog a =
        new AccessLog(new AccessLogSettings(log.toString(), 1 << 20, 7), TrustedProxies.none())) {
      a.write("ascii only");
      a.write(new StringBuilder("Zürich \"Björk\" 東京"));
      a.write("after");
    }
    assertThat(Files.readAllLines(log, StandardCharsets.UTF_8))
        .containsExactly("ascii only", "Zürich \"Björk\" 東京", "after");
  }

  /**
   * Eight threads, each writing 4 MiB of lines as fast as it can (more than its buffer holds
   * between two of the writer's takes): every line is in the file, whole and in its thread's order,
   * or counted as dropped.
   */
  @Test
  void everyLineIsWrittenWholeOrCountedAsDropped() throws Exception {
    Path log = dir.resolve("burst/access.log");
    int threads = 8;
    int perThread = 40_000;
    String pad = "p".repeat(90);
    long dropped;
    try (AccessLog a =
        new AccessLog(
            new AccessLogSettings(log.toString(), 1L << 30, 7, false), TrustedProxies.none())) {
      List<Thread> ts = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread w =
            new Thread(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    a.write(id + " " + i + " " + pad);
                  }
                });
        w.start();
        ts.add(w);
      }
      for (Thread t : ts) {
        t.join();
      }
      Thread.sleep(200); // the writer's next tick takes what the threads left (they are gone)
      dropped = a.dropped();
    }
    List<String> lines = Files.readAllLines(log);
    assertThat(lines.size() + dropped).isEqualTo((long) threads * perThread);
    int[] last = new int[threads];
    java.util.Arrays.fill(last, -1);
    for (String l : lines) {
      String[] f = l.split(" ");
      assertThat(f).hasSize(3);
      assertThat(f[2]).isEqualTo(pad);
      int t = Integer.parseInt(f[0]);
      int i = Integer.parseInt(f[1]);
      assertThat(i).as("thread %d's lines in order", t).isGreaterThan(last[t]);
      last[t] = i;
    }
  }

  @Test
  void badSettingsAreRefusedNamingWhat() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new AccessLogSettings("stdout", 1000, 7))
        .hasMessageContaining("at least 1 MiB");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new AccessLogSettings("x.log", 1 << 20, 0))
        .hasMessageContaining("keep at least 1 day");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new AccessLog(
                    new AccessLogSettings("/proc/no/such/access.log", 1 << 20, 7),
                    TrustedProxies.none()))
        .hasMessageContaining("/proc/no/such");
  }

  private static DirectorServer start(AccessLogSettings log) throws Exception {
    return start("127.0.0.1", log);
  }

  private static DirectorServer start(String host, AccessLogSettings log) throws Exception {
    ClusterView fleet = TestFleet.fleet();
    DirectorSettings s =
        new DirectorSettings(
            host,
            0,
            List.of("/raspbian/"),
            SelectionPolicy.defaults(),
            TrustedProxies.parse(List.of("127.0.0.1")),
            null,
            8,
            128);
    return new DirectorServer(
            log == null ? s : s.withAccessLog(log),
            new DirectorSources(
                () -> fleet,
                () -> TestFleet.files,
                () -> Optional.of(TestFleet.s2Tree),
                a -> TestFleet.GB,
                () -> true,
                Optional::empty,
                null,
                RegistryPaths.defaults()))
        .start();
  }

  private static HttpResponse<String> get(DirectorServer d, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.port() + path))
            .timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void raw(DirectorServer d, String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", d.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      s.getInputStream().read();
    }
  }
}
