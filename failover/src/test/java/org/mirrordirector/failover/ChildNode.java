package org.mirrordirector.failover;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The test side of a {@link LeaderProcess}: start it, talk to it, kill or pause it. */
final class ChildNode implements AutoCloseable {
  final String id;
  final Process process;
  private final PrintWriter in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
  final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private long asked;

  ChildNode(String id, String connectString, Duration sessionTimeout)
      throws IOException, InterruptedException {
    this(id, connectString, sessionTimeout, RegistryPaths.DEFAULT_ROOT);
  }

  /** A node under another registry root: a separate cluster as far as leadership goes. */
  ChildNode(String id, String connectString, Duration sessionTimeout, String root)
      throws IOException, InterruptedException {
    this.id = id;
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    // The test run's options for the JVMs it starts (the parent pom's md.testJvmOptions).
    String extra = System.getProperty("md.childJvmOptions", "").strip();
    if (!extra.isEmpty()) {
      cmd.addAll(List.of(extra.split("\\s+")));
    }
    cmd.addAll(
        List.of(
            "-Xmx128m",
            "-cp",
            System.getProperty("java.class.path"),
            "-Dorg.slf4j.simpleLogger.logFile=System.err",
            LeaderProcess.class.getName(),
            connectString,
            id,
            Long.toString(sessionTimeout.toMillis()),
            root));
    process =
        new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.appendTo(logFile(id)))
            .start();
    in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                  if (l.startsWith("ROLE ") || l.startsWith("AUTO ")) {
                    events.add(l);
                  } else {
                    replies.add(l);
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "child-" + id);
    reader.setDaemon(true);
    reader.start();
    String ready = replies.poll(30, TimeUnit.SECONDS);
    if (ready == null || !ready.startsWith("READY")) {
      throw new IllegalStateException("child " + id + " did not start: " + ready);
    }
  }

  /** Where a child's log goes: target/child-logs/ID.log, appended across restarts. */
  static java.io.File logFile(String id) {
    java.io.File dir = new java.io.File("target/child-logs");
    dir.mkdirs();
    return new java.io.File(dir, id + ".log");
  }

  long pid() {
    return process.pid();
  }

  /**
   * Sends a command and waits for its own reply (matched by a tag, so that a late reply to an
   * earlier command is never taken for this one); null if none came in time (a paused process).
   */
  synchronized String ask(String command, Duration timeout) throws InterruptedException {
    String tag = (++asked) + " ";
    in.println(tag + command);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String r = replies.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (r == null) {
        return null;
      }
      if (r.startsWith(tag)) {
        return r.substring(tag.length());
      }
    }
  }

  /** STATUS as [role, epoch, serving], or null when the process did not answer in time. */
  String[] status(Duration timeout) throws InterruptedException {
    String r = ask("STATUS", timeout);
    return r == null ? null : r.substring("STATUS ".length()).split(" ");
  }

  String awaitEvent(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (e == null) {
        return null;
      }
      if (e.startsWith(prefix)) {
        return e;
      }
    }
  }

  void signal(String sig) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("kill -" + sig + " " + process.pid() + " failed");
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      try {
        signal("CONT");
      } catch (IOException e) {
        // it may have ended meanwhile
      }
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static List<String> parts(String line) {
    return List.of(line.split(" "));
  }
}
