package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A mirror for the quick check's tests that can fail the ways a real one does, on one port that it
 * keeps: answer requests (HTTP/1.1, kept alive) with a chosen status and a 5-byte body, or {@link
 * #stallBodies} (headers, then a body that stops after 10 bytes); {@link #stop} (its listening
 * socket closed, its connections closed: refused from then on), {@link #kill} (its connections
 * reset, as the kernel does for a process killed with unread data), {@link #pause} (connections are
 * still accepted by the kernel, nothing answers: SIGSTOP), and {@link #start} again.
 */
final class RawMirror implements AutoCloseable {
  final String host;
  final int port;
  final AtomicInteger status = new AtomicInteger(200);
  final AtomicInteger answered = new AtomicInteger();
  final AtomicInteger accepted = new AtomicInteger();
  private final AtomicBoolean paused = new AtomicBoolean();
  private final AtomicBoolean stallBodies = new AtomicBoolean();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile ServerSocket listener;
  private volatile boolean resetLate;

  RawMirror(String host) throws IOException {
    this.host = host;
    listener = bind(0);
    port = listener.getLocalPort();
    serve(listener);
  }

  URI url() {
    return URI.create(
        "http://"
            + (host.contains(":") ? "[" + host + "]" : host)
            + ":"
            + port
            + "/raspbian/dists/bookworm/InRelease");
  }

  int connections() {
    return (int) open.stream().filter(s -> !s.isClosed()).count();
  }

  private ServerSocket bind(int p) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getByName(host), p), 50);
    return s;
  }

  private void serve(ServerSocket l) {
    Thread t =
        new Thread(
            () -> {
              while (!l.isClosed()) {
                try {
                  Socket s = l.accept();
                  synchronized (this) {
                    // A connection the kernel completed as the listener was being closed (Java
                    // closes it only once accept returns): ended as the stop or kill says.
                    if (l.isClosed()) {
                      s.setSoLinger(resetLate, 0);
                      s.close();
                      return;
                    }
                    open.add(s);
                  }
                  accepted.incrementAndGet();
                  Thread c = new Thread(() -> connection(s), "raw-mirror-conn");
                  c.setDaemon(true);
                  c.start();
                } catch (IOException closed) {
                  return;
                }
              }
            },
            "raw-mirror-accept");
    t.setDaemon(true);
    t.start();
  }

  private void connection(Socket s) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      StringBuilder head = new StringBuilder();
      while (true) {
        while (paused.get()) {
          Thread.sleep(5); // reads nothing, answers nothing
        }
        int b = in.read();
        if (b < 0) {
          return;
        }
        head.append((char) b);
        if (head.toString().endsWith("\r\n\r\n")) {
          while (paused.get()) {
            Thread.sleep(5);
          }
          int st = status.get();
          if (stallBodies.get() && st < 300) {
            // The headers and the first bytes of a 4 KiB body, then nothing until unstalled.
            out.write(
                ("HTTP/1.1 206 X\r\nContent-Length: 4096\r\nServer: raw\r\n\r\n" + "x".repeat(10))
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            while (stallBodies.get()) {
              Thread.sleep(5);
            }
            out.write("x".repeat(4086).getBytes(StandardCharsets.ISO_8859_1));
          } else {
            out.write(
                ("HTTP/1.1 " + st + " X\r\nContent-Length: 5\r\nServer: raw\r\n\r\nabcde")
                    .getBytes(StandardCharsets.ISO_8859_1));
          }
          out.flush();
          answered.incrementAndGet();
          head.setLength(0);
        }
      }
    } catch (IOException | InterruptedException e) {
      // closed
    } finally {
      open.remove(s);
    }
  }

  /** Refuses from now on: the listening socket is closed, then every connection (FIN). */
  synchronized void stop() throws IOException {
    resetLate = false;
    listener.close();
    for (Socket s : open) {
      s.close();
    }
  }

  /** As a process killed: the listening socket gone, every connection reset (RST). */
  synchronized void kill() throws IOException {
    resetLate = true;
    listener.close();
    for (Socket s : open) {
      s.setSoLinger(true, 0);
      s.close();
    }
  }

  /** Sends the headers and 10 bytes of each body, then nothing more until {@link #flow}. */
  void stallBodies() {
    stallBodies.set(true);
  }

  void flow() {
    stallBodies.set(false);
  }

  void pause() {
    paused.set(true);
  }

  void resume() {
    paused.set(false);
  }

  /** Listens again on the same port. */
  synchronized void start() throws IOException {
    listener = bind(port);
    serve(listener);
  }

  @Override
  public void close() throws IOException {
    resume();
    flow();
    stop();
  }
}
