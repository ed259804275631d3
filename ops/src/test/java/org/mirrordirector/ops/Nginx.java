package org.mirrordirector.ops;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mirrordirector.ops.hosting.NginxConfig;

/**
 * A real nginx serving a directory, as public mirrors run: its own prefix, configuration, logs and
 * pid file under {@code dir}, listening on the given loopback addresses (127.0.0.1, ::1) on one
 * port. Stopped by {@link #close}.
 */
public final class Nginx implements AutoCloseable {
  public final int port;
  public final Path accessLog;
  private final Process process;
  private List<ProcessHandle> workers = List.of();
  private final Path dir;

  /**
   * @param hosts the addresses to listen on, e.g. {@code 127.0.0.1} and {@code ::1}
   */
  public Nginx(Path dir, Path root, List<String> hosts) throws IOException, InterruptedException {
    this(dir, root, hosts, freePort());
  }

  /** As above, on {@code port} (an nginx started again where a stopped one listened). */
  public Nginx(Path dir, Path root, List<String> hosts, int port)
      throws IOException, InterruptedException {
    this.dir = Files.createDirectories(dir);
    Files.createDirectories(dir.resolve("tmp"));
    this.port = port;
    this.accessLog = dir.resolve("access.log");
    StringBuilder listen = new StringBuilder();
    for (String h : hosts) {
      listen
          .append("    listen ")
          .append(h.contains(":") ? "[" + h + "]" : h)
          .append(':')
          .append(port)
          .append(h.contains(":") ? " ipv6only=on" : "")
          .append(";\n");
    }
    Files.writeString(dir.resolve("nginx.conf"), conf(dir, root, listen.toString(), ""));
    process =
        new ProcessBuilder(
                nginx(),
                "-p",
                dir.toString(),
                "-e",
                dir.resolve("error.log").toString(),
                "-c",
                dir.resolve("nginx.conf").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nginx.out").toFile())
            .start();
    String first = hosts.get(0);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(first, port), 500);
        return;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          close();
          throw new IOException(
              "nginx did not start: "
                  + Files.readString(dir.resolve("nginx.out"))
                  + (Files.exists(dir.resolve("error.log"))
                      ? Files.readString(dir.resolve("error.log"))
                      : ""));
        }
        Thread.sleep(50);
      }
    }
  }

  /**
   * The configuration of an nginx whose prefix, logs and pid file are under {@code dir}, serving
   * {@code root} on the {@code listen} lines; {@code logFormat}, if not empty, is the access log's.
   */
  public static String conf(Path dir, Path root, String listen, String logFormat) {
    return NginxConfig.conf(dir, root, listen, logFormat);
  }

  public static String nginx() {
    return NginxConfig.binary();
  }

  public static boolean available() {
    return Files.isExecutable(Path.of("/usr/sbin/nginx"))
        || Files.isExecutable(Path.of("/usr/bin/nginx"));
  }

  /** The mirror's base URL over this host ({@code ::1} is bracketed). */
  public String base(String host) {
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/";
  }

  /** What nginx logged having served. */
  public String log() throws IOException {
    return Files.exists(accessLog) ? Files.readString(accessLog) : "";
  }

  /**
   * Sends {@code signal} (as kill(1) names it: TERM, KILL, STOP, CONT) to the master process and
   * its workers: TERM is nginx's fast shutdown (its listening sockets and connections closed), KILL
   * ends both at once (the kernel closes or resets their connections), STOP pauses both (the kernel
   * still completes new connections, no one answers).
   */
  public void signal(String signal) throws IOException, InterruptedException {
    // The master first: a master that outlived its worker's KILL would start another one, which
    // would go on serving on the listening socket it inherits.
    List<String> cmd = new java.util.ArrayList<>(List.of("kill", "-" + signal));
    cmd.add(Long.toString(process.pid()));
    workers = process.children().toList();
    if (!signal.equals("TERM") && !signal.equals("HUP")) {
      workers.forEach(c -> cmd.add(Long.toString(c.pid())));
    }
    Process k = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
      k.destroyForcibly();
      throw new IOException(cmd + ": " + new String(k.getInputStream().readAllBytes()));
    }
  }

  /**
   * Limits every transfer that starts from now on to {@code bytesPerSecond} ({@code limit_rate}),
   * as a mirror whose link or disk is saturated: the configuration is rewritten and nginx reloaded
   * (its old worker ends its idle connections and serves its busy ones to their end). Returns once
   * a new worker runs.
   */
  public void throttle(int bytesPerSecond) throws IOException, InterruptedException {
    Path conf = dir.resolve("nginx.conf");
    String c = Files.readString(conf).replaceAll("(?m)^  limit_rate(_after)? \\d+;\n", "");
    // The first 512 bytes at full speed: the headers and the start of the body come, then it
    // trickles (without it nginx holds the headers back as well).
    Files.writeString(
        conf,
        c.replace(
            "http {\n", "http {\n  limit_rate " + bytesPerSecond + ";\n  limit_rate_after 512;\n"));
    List<Long> old = process.children().map(ProcessHandle::pid).toList();
    signal("HUP");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (process.children().noneMatch(w -> !old.contains(w.pid()))) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "nginx did not reload: " + Files.readString(dir.resolve("error.log")));
      }
      Thread.sleep(5);
    }
  }

  /** Waits until the master process has exited (after TERM or KILL). */
  public void awaitExit() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (process.isAlive() || workers.stream().anyMatch(ProcessHandle::isAlive)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("nginx did not exit");
      }
      Thread.sleep(5);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      try {
        signal("CONT"); // a paused nginx cannot act on TERM
      } catch (IOException ignored) {
        // ended meanwhile
      }
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
