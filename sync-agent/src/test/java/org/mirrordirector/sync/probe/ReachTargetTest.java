package org.mirrordirector.sync.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How the quick check reads an answer, and the request and wait it uses, without a network. */
class ReachTargetTest {
  static ReachAnswer read(String bytes) {
    ReachTarget t = new ReachTarget("m", URI.create("http://[::1]:8080/r/dists/b/InRelease"));
    byte[] b = bytes.getBytes(StandardCharsets.ISO_8859_1);
    t.in.put(b, 0, Math.min(b.length, t.in.remaining())); // a read fills the buffer at most
    return t.answer();
  }

  @Test
  void answersAreReadAsServersSendThem() {
    assertThat(read("HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\n\r\nabcde"))
        .isEqualTo(new ReachAnswer(206, true, null));
    assertThat(read("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n"))
        .isEqualTo(new ReachAnswer(404, false, null));
    assertThat(read("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
        .isEqualTo(new ReachAnswer(404, true, null));
    assertThat(read("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n"))
        .as("a body not there with the headers is not waited for: the connection ends")
        .isEqualTo(new ReachAnswer(404, false, null));
    assertThat(read("HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy"))
        .isEqualTo(new ReachAnswer(503, true, null));
    assertThat(read("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nab"))
        .as("1.0 ends it")
        .isEqualTo(new ReachAnswer(200, false, null));
    assertThat(read("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nab"))
        .isEqualTo(new ReachAnswer(200, true, null));
    assertThat(read("HTTP/1.1 503 Busy\r\n\r\n").status()).isEqualTo(503);
    assertThat(read("HTTP/1.1 304 Not Modified\r\n\r\n"))
        .isEqualTo(new ReachAnswer(304, true, null));
    assertThat(read("HTTP/1.1 206 Partial Content\r\nContent-Length: 2\r\n\r\nabc"))
        .as("bytes after the body")
        .isEqualTo(new ReachAnswer(206, false, null));
    assertThat(read("HTTP/1.1 200 OK\r\nServer: x\r\n")).as("not complete yet").isNull();
  }

  @Test
  void theFirstBytesOfTheBodyMustComeNotOnlyTheHeaders() {
    assertThat(
            read("HTTP/1.1 206 Partial Content\r\nContent-Length: 4096\r\n\r\n" + "x".repeat(10)))
        .as("a transfer under way (or stalled) is not an answer yet")
        .isNull();
    assertThat(
            read("HTTP/1.1 206 Partial Content\r\nContent-Length: 4096\r\n\r\n" + "x".repeat(4096)))
        .isEqualTo(new ReachAnswer(206, true, null));
    assertThat(read("HTTP/1.1 200 OK\r\nContent-Length: 150000\r\n\r\n" + "x".repeat(4095)))
        .as("a mirror that ignores the Range: the first 4 KiB")
        .isNull();
    assertThat(read("HTTP/1.1 200 OK\r\nContent-Length: 150000\r\n\r\n" + "x".repeat(20000)))
        .as("then the connection is not kept: the rest is not read")
        .isEqualTo(new ReachAnswer(200, false, null));
    assertThat(read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"))
        .as("no length: one byte of the body")
        .isNull();
    assertThat(read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"))
        .isEqualTo(new ReachAnswer(200, false, null));

    ReachTarget t = new ReachTarget("m", URI.create("http://[::1]:8080/r/dists/b/InRelease"));
    assertThat(t.unanswered(500)).isEqualTo("no answer within 500 ms");
    t.in.put(
        "HTTP/1.1 206 Partial\r\nContent-Length: 4096\r\n\r\nabc"
            .getBytes(StandardCharsets.ISO_8859_1));
    assertThat(t.unanswered(500))
        .isEqualTo("a stalled transfer: its headers, then 3 bytes of the body within 500 ms");
  }

  @Test
  void whatIsNotAnHttpAnswerSaysSo() {
    assertThat(read("SSH-2.0-OpenSSH_9.2\r\n").problem())
        .isEqualTo("answers something that is not HTTP");
    assertThat(read("HTTP/1.1 abc\r\n\r\n").problem()).isEqualTo("answers a bad status line");
    assertThat(read("HTTP/1.1 200 OK\r\nX: " + "y".repeat(ReachTarget.MAX_HEADERS)).problem())
        .isEqualTo("answers headers over 8 KiB");
  }

  @Test
  void theRequestNamesTheHostAndTheWaitFollowsTheMirrorsAnswers() {
    ReachTarget t = new ReachTarget("m", URI.create("http://[::1]:8080/r/dists/b/InRelease"));
    assertThat(t.host).isEqualTo("::1");
    assertThat(t.port).isEqualTo(8080);
    assertThat(new String(t.request, StandardCharsets.ISO_8859_1))
        .startsWith("GET /r/dists/b/InRelease HTTP/1.1\r\nHost: [::1]:8080\r\n")
        .contains("\r\nRange: bytes=0-4095\r\n")
        .endsWith("\r\n\r\n");
    ReachSettings s =
        new ReachSettings(Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(10));
    assertThat(t.timeoutNanos(s)).as("no answer yet: the least wait").isEqualTo(500_000_000L);
    t.answeredIn(Duration.ofMillis(400).toNanos());
    assertThat(t.timeoutNanos(s)).as("3x the slowest").isEqualTo(1_200_000_000L);
    t.answeredIn(Duration.ofSeconds(9).toNanos());
    assertThat(t.timeoutNanos(s)).as("at most the probe timeout").isEqualTo(10_000_000_000L);
    for (int i = 0; i < 16; i++) {
      t.answeredIn(Duration.ofMillis(10).toNanos());
    }
    assertThat(t.timeoutNanos(s)).as("the slow ones forgotten after 16").isEqualTo(500_000_000L);
    assertThat(new ReachTarget("t", URI.create("https://h.example/x")).port).isEqualTo(443);
  }
}
