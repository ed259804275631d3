package org.mirrordirector.sync.probe;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One mirror of the quick check, and its kept-alive connection: what {@link ReachCheck}'s thread
 * knows of it (only that thread touches it), and the reading of one check's answer.
 *
 * <p>A check is a GET of the first {@link ReachSettings#SAMPLE} bytes of the URL (its InRelease):
 * the headers alone would pass a mirror whose transfers stall after them (a hung disk behind a web
 * server that still answers, a bandwidth cap near zero), and apt would wait its 30 s per attempt
 * there.
 */
final class ReachTarget {
  static final int MAX_HEADERS = 8192;
  private static final int SAMPLE = ReachSettings.SAMPLE;

  private static final int RECENT = 16;

  final String mirror;
  final URI url;
  final boolean tls;
  final String host;
  final int port;
  final byte[] request;

  SocketChannel channel;
  SelectionKey key;
  ByteBuffer out;
  final ByteBuffer in = ByteBuffer.allocate(MAX_HEADERS + SAMPLE);

  /** A connection attempt of this generation is running on a worker. */
  boolean connecting;

  /** Connect, then send the check (not only look whether it still accepts). */
  boolean checkOnConnect;

  /** A check was sent and its answer is not complete. */
  boolean waiting;

  /** The https check running on a worker (only one at a time). */
  boolean tlsInFlight;

  /** This check was sent again on a fresh connection already. */
  boolean retried;

  /** Connects (each with a check) after the mirror closed an idle one, since the last check. */
  int quickReconnects;

  /** Discards the results of workers started for an older connection or check. */
  int generation;

  long sentAt;
  long deadline;
  long nextCheck;
  private final long[] recent = new long[RECENT];
  private int answers;

  ReachTarget(String mirror, URI url) {
    this.mirror = mirror;
    this.url = url;
    this.tls = url.getScheme().equals("https");
    String h = url.getHost();
    this.host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    this.port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    if (url.getRawQuery() != null) {
      path = path + "?" + url.getRawQuery();
    }
    this.request =
        ("GET "
                + path
                + " HTTP/1.1\r\nHost: "
                + url.getRawAuthority()
                + "\r\nUser-Agent: mirrordirector-reach-check\r\nAccept: */*\r\nRange: bytes=0-"
                + (SAMPLE - 1)
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
  }

  /** How long this mirror's answer is waited for: 3x its slowest recent answer, within bounds. */
  long timeoutNanos(ReachSettings s) {
    long slowest = 0;
    for (int i = 0; i < Math.min(answers, RECENT); i++) {
      slowest = Math.max(slowest, recent[i]);
    }
    return Math.max(s.timeout().toNanos(), Math.min(3 * slowest, s.maxTimeout().toNanos()));
  }

  void answeredIn(long nanos) {
    recent[answers++ % RECENT] = nanos;
  }

  /**
   * The answer read so far: null while it is not complete, else its status and whether the
   * connection may be kept. Complete: for a 2xx, the headers and the first {@link #SAMPLE} bytes of
   * the body (all of it when shorter; one byte when its length is not given); for any other status,
   * the headers. An answer that does not start as HTTP, or whose headers do not fit, is a status of
   * 0 and not kept.
   */
  ReachAnswer answer() {
    int end = headersEnd();
    if (end < 0) {
      if (in.position() >= 5 && !startsWith("HTTP/")) {
        return new ReachAnswer(0, false, "answers something that is not HTTP");
      }
      return in.position() < MAX_HEADERS
          ? null
          : new ReachAnswer(0, false, "answers headers over 8 KiB");
    }
    String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
    String[] lines = head.split("\r\n");
    String[] status = lines[0].split(" ", 3);
    int code;
    try {
      code = status.length >= 2 && status[0].startsWith("HTTP/") ? Integer.parseInt(status[1]) : 0;
    } catch (NumberFormatException e) {
      code = 0;
    }
    if (code < 100 || code > 999) {
      return new ReachAnswer(0, false, "answers a bad status line");
    }
    boolean keep = !status[0].equals("HTTP/1.0");
    long length = -1;
    for (int i = 1; i < lines.length; i++) {
      String l = lines[i].toLowerCase(Locale.ROOT);
      if (l.startsWith("connection:")) {
        String v = l.substring("connection:".length()).trim();
        keep = v.contains("keep-alive") || (keep && !v.contains("close"));
      } else if (l.startsWith("content-length:")) {
        try {
          length = Long.parseLong(l.substring("content-length:".length()).trim());
        } catch (NumberFormatException e) {
          keep = false; // its end cannot be known
        }
      } else if (l.startsWith("transfer-encoding:")) {
        length = -1; // chunked: not read to its end, the connection is not kept
      }
    }
    int body = in.position() - (end + 4);
    boolean bodiless = code < 200 || code == 204 || code == 304;
    if (code >= 300 || bodiless) {
      // The status is the answer; the connection is kept when its body came whole with it.
      return new ReachAnswer(code, keep && (bodiless ? body == 0 : body == length), null);
    }
    long want = length >= 0 ? Math.min(length, SAMPLE) : 1;
    if (body < want) {
      return null; // the body is still coming
    }
    // Kept only when all of it was read and nothing more came: a mirror that ignores the Range
    // sends the whole file, which is not read to its end.
    return new ReachAnswer(code, keep && body == length, null);
  }

  /** Why a check that ran out of time failed: nothing, or its headers and then a stalled body. */
  String unanswered(long ms) {
    int end = headersEnd();
    if (end < 0) {
      return "no answer within " + ms + " ms";
    }
    return "a stalled transfer: its headers, then "
        + (in.position() - end - 4)
        + " bytes of the body within "
        + ms
        + " ms";
  }

  private int headersEnd() {
    byte[] b = in.array();
    for (int i = 0; i + 3 < in.position(); i++) {
      if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private boolean startsWith(String s) {
    return new String(in.array(), 0, s.length(), StandardCharsets.ISO_8859_1).equals(s);
  }
}
