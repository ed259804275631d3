package org.mirrordirector.ops.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.mirrordirector.sync.archive.Apt;

/**
 * Benchmark (not a test): what real apt, with its default settings, does at a mirror that answers
 * very slowly or not at all once the director has sent it there. A redirector on 127.0.0.1 answers
 * every request with a 302 to the mirror, as the director does; the mirror is one of:
 *
 * <ul>
 *   <li>{@code hole}: the kernel accepts its connections, nothing ever answers (a paused server, a
 *       half-open path that still completes handshakes);
 *   <li>{@code stall}: the headers and the first 40 bytes of the body, then nothing (a transfer
 *       that stalls: a hung disk, a dead backend behind a proxy);
 *   <li>{@code trickle}: the whole body, at 100 bytes a second (a saturated link).
 * </ul>
 *
 * For each: the wall time of {@code apt-get update}, how it ended, the requests the redirector and
 * the mirror saw and the connections made to the mirror. Run by ops/bench/stall-bench.sh.
 */
public final class StallBench {
  private static final int BODY = 6000;

  private StallBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    for (int i = 1; i < args.length; i++) {
      run(dir.resolve(args[i]), args[i]);
    }
    System.exit(0);
  }

  private static void run(Path dir, String mode) throws Exception {
    AtomicInteger mirrorConnections = new AtomicInteger();
    AtomicInteger mirrorRequests = new AtomicInteger();
    AtomicInteger redirects = new AtomicInteger();
    try (ServerSocket mirror = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket director = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String mirrorBase = "http://127.0.0.1:" + mirror.getLocalPort();
      serve(
          mirror,
          mirrorConnections,
          (path, out) -> {
            mirrorRequests.incrementAndGet();
            if (mode.equals("hole")) {
              Thread.sleep(Long.MAX_VALUE);
            }
            out.write(
                ("HTTP/1.1 200 OK\r\nContent-Length: "
                        + BODY
                        + "\r\nLast-Modified: Mon, 07 Dec 2026 00:00:00 GMT\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            byte[] body = "x".repeat(BODY).getBytes(StandardCharsets.ISO_8859_1);
            if (mode.equals("stall")) {
              out.write(body, 0, 40);
              out.flush();
              Thread.sleep(Long.MAX_VALUE);
            }
            for (int i = 0; i < BODY; i += 10) { // trickle: 100 bytes a second
              out.write(body, i, 10);
              out.flush();
              Thread.sleep(100);
            }
          });
      serve(
          director,
          new AtomicInteger(),
          (path, out) -> {
            redirects.incrementAndGet();
            out.write(
                ("HTTP/1.1 302 Found\r\nLocation: "
                        + mirrorBase
                        + path
                        + "\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
          });
      Apt apt = Apt.withDefaults(dir.resolve("apt"));
      apt.sources(
          "deb [trusted=yes] http://127.0.0.1:"
              + director.getLocalPort()
              + "/debian bookworm main");
      long t0 = System.nanoTime();
      Apt.Attempt a = apt.attempt(Duration.ofMinutes(15), "apt-get", "update");
      double s = (System.nanoTime() - t0) / 1e9;
      String last = "";
      for (String line : a.output().split("\n")) {
        if (line.startsWith("W:") || line.startsWith("E:") || line.startsWith("Err:")) {
          last = line.strip();
          break;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%-7s apt-get update (defaults) through a 302: %.1f s, %s; requests at the director %d,"
              + " at the mirror %d, connections to the mirror %d%s%n",
          mode,
          s,
          a.exit() == -1 ? "still running at 15 min" : a.ok() ? "succeeded" : "failed",
          redirects.get(),
          mirrorRequests.get(),
          mirrorConnections.get(),
          last.isEmpty() ? "" : "; first error: " + last);
    }
  }

  @FunctionalInterface
  private interface Answer {
    void answer(String path, OutputStream out) throws IOException, InterruptedException;
  }

  private static void serve(ServerSocket server, AtomicInteger connections, Answer answer) {
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  connections.incrementAndGet();
                  Thread c = new Thread(() -> connection(s, answer), "stall-bench-conn");
                  c.setDaemon(true);
                  c.start();
                } catch (IOException closed) {
                  return;
                }
              }
            },
            "stall-bench-accept");
    t.setDaemon(true);
    t.start();
  }

  private static void connection(Socket s, Answer answer) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      StringBuilder head = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0) {
        head.append((char) b);
        if (head.toString().endsWith("\r\n\r\n")) {
          String path = head.toString().split(" ", 3)[1];
          head.setLength(0);
          answer.answer(path, out);
        }
      }
    } catch (IOException | InterruptedException e) {
      // ended
    }
  }
}
