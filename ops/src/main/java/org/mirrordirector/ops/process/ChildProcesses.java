package org.mirrordirector.ops.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The servers a node or the demo runs as child processes (rsync, HAProxy): started and stopped. */
public final class ChildProcesses {
  /**
   * The main class of the {@code mirrorctl} program. The demo and the hosting's scenario run their
   * nodes as {@code mirrorctl node} in JVMs of their own: a program they start by name, as a shell
   * would, not code they call, so the layers below the command line never import it ({@code
   * MirrorctlTest} checks that the name is the class).
   */
  public static final String MIRRORCTL_MAIN = "org.mirrordirector.ops.cli.Mirrorctl";

  private ChildProcesses() {}

  /**
   * The command that starts a JVM like this one: its java, then the options in the system property
   * {@code md.childJvmOptions} (space-separated; the test runs set it, see the parent pom, so that
   * the many short-lived JVMs of a test run compile less; a demo or benchmark run leaves it unset).
   */
  public static List<String> java() {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    String extra = System.getProperty("md.childJvmOptions", "").strip();
    if (!extra.isEmpty()) {
      cmd.addAll(List.of(extra.split("\\s+")));
    }
    return cmd;
  }

  /**
   * Waits until the child accepts connections on host:port, and is still alive then (an answer from
   * another process on the port does not count); if it exits or does not listen within 10 s, it is
   * killed and the exception quotes its output file.
   */
  public static void awaitListening(Process p, String what, String host, int port, Path output)
      throws IOException, InterruptedException {
    String connect = host.equals("0.0.0.0") ? "127.0.0.1" : host.equals("::") ? "::1" : host;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(connect, port), 500);
        if (p.isAlive()) {
          return;
        }
        // Something else answers on the port: this child could not listen and exited.
        throw new IOException(
            what
                + " exited; the port "
                + port
                + " is someone else's: "
                + (Files.exists(output) ? Files.readString(output).strip() : "no output"));
      } catch (IOException notYet) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IOException(
              what
                  + " did not start on "
                  + host
                  + ":"
                  + port
                  + ": "
                  + (Files.exists(output) ? Files.readString(output).strip() : "no output"));
        }
        Thread.sleep(20);
      }
    }
  }

  /** SIGTERM, then SIGKILL when it has not exited within {@code grace}. */
  public static void stop(Process p, Duration grace) {
    p.destroy();
    try {
      if (!p.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
