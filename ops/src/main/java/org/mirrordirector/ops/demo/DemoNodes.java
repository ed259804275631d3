package org.mirrordirector.ops.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.mirrordirector.ops.process.ChildProcesses;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RunResult;

/**
 * The demo's node processes ({@code mirrorctl node}, one JVM each, so that faults are real):
 * started, stopped, killed, paused and resumed, and, through the demo, cut off from ZooKeeper.
 */
public final class DemoNodes implements AutoCloseable {
  private final Path dir;
  private final Map<String, Process> nodes = new LinkedHashMap<>();
  private final Consumer<String> cut;
  private final Consumer<String> restore;

  /**
   * @param dir where ID.yaml is and logs/ID.log goes
   * @param cut cuts a node's link to ZooKeeper (a replica's: its region's)
   * @param restore mends it
   */
  public DemoNodes(Path dir, Consumer<String> cut, Consumer<String> restore) {
    this.dir = dir;
    this.cut = cut;
    this.restore = restore;
  }

  /** Starts (or starts again) a node process; its output goes to logs/ID.log. */
  public synchronized Process start(String id) throws IOException {
    List<String> cmd = new ArrayList<>(ChildProcesses.java());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    // MD_DEMO_NODE_CLASSPATH runs the nodes from another build (a benchmark's "before").
    String cp = System.getenv("MD_DEMO_NODE_CLASSPATH");
    cmd.add(cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path"));
    cmd.add(ChildProcesses.MIRRORCTL_MAIN);
    cmd.add("node");
    cmd.add("--config");
    cmd.add(dir.resolve(id + ".yaml").toString());
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(dir.resolve("logs/" + id + ".log").toFile()))
            .start();
    nodes.put(id, p);
    return p;
  }

  public synchronized Map<String, Process> all() {
    return new LinkedHashMap<>(nodes);
  }

  /**
   * Acts on a node process or its ZooKeeper link, as the drill's faults do (the control port and
   * the soak): start (a stopped node again), term (SIGTERM, waits for the exit), kill (SIGKILL),
   * stop (SIGSTOP), cont (SIGCONT), cut and restore (its link to ZooKeeper; for a replica, its
   * region's). Returns what was done.
   */
  public String act(String id, String action) throws IOException, InterruptedException {
    Process proc = all().get(id);
    if (proc == null) {
      throw new IllegalArgumentException("no node '" + id + "' in the demo");
    }
    switch (action) {
      case "start" -> {
        if (proc.isAlive()) {
          throw new IllegalArgumentException(id + " is running (pid " + proc.pid() + ")");
        }
        return id + " started, pid " + start(id).pid();
      }
      case "term" -> {
        proc.destroy();
        if (!proc.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          throw new IOException(id + " did not stop within 30 s of SIGTERM");
        }
        return id + " stopped by SIGTERM, exit " + proc.exitValue();
      }
      case "kill" -> {
        proc.destroyForcibly();
        proc.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        return id + " killed";
      }
      case "stop", "cont" -> {
        signal(proc.pid(), action.equals("stop") ? "STOP" : "CONT");
        return id + (action.equals("stop") ? " paused" : " resumed");
      }
      case "cut" -> {
        cut.accept(id);
        return id.startsWith("replica-")
            ? id + "'s region cut off from the writers' quorum"
            : id + " cut off from ZooKeeper";
      }
      case "restore" -> {
        restore.accept(id);
        return id.startsWith("replica-")
            ? id + "'s region reconnected to the writers' quorum"
            : id + " reconnected to ZooKeeper";
      }
      default ->
          throw new IllegalArgumentException(
              "unknown action '" + action + "': start, term, kill, stop, cont, cut or restore");
    }
  }

  /**
   * Kills a node (SIGKILL) while its sync agent's rsync runs: waits up to {@code within} for an
   * rsync client among the node's descendants (not its daemon). Returns whether one was running
   * when the node was killed (false: killed after the wait, between syncs).
   */
  public boolean killMidSync(String id, Duration within) throws InterruptedException {
    Process p = all().get(id);
    if (p == null) {
      throw new IllegalArgumentException("no node '" + id + "' in the demo");
    }
    long deadline = System.nanoTime() + within.toNanos();
    boolean syncing = false;
    while (!syncing && System.nanoTime() < deadline && p.isAlive()) {
      syncing =
          p.descendants()
              .anyMatch(
                  d -> {
                    var info = d.info();
                    return info.command().map(c -> c.endsWith("/rsync")).orElse(false)
                        && info.arguments()
                            .map(a -> !java.util.Arrays.asList(a).contains("--daemon"))
                            .orElse(false);
                  });
      if (!syncing) {
        Thread.sleep(20);
      }
    }
    p.destroyForcibly();
    p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    return syncing;
  }

  @Override
  public synchronized void close() {
    for (Process p : nodes.values()) {
      p.destroy(); // SIGTERM: a clean stop
    }
    for (Process p : nodes.values()) {
      ChildProcesses.stop(p, Duration.ofSeconds(15)); // all were signalled first: this waits
    }
  }

  /** Sends a signal (STOP, CONT, ...) to a process by kill(1). */
  static void signal(long pid, String sig) throws IOException, InterruptedException {
    RunResult r =
        BoundedRun.run(
            java.util.List.of("kill", "-" + sig, Long.toString(pid)),
            null,
            java.time.Duration.ofSeconds(10));
    if (!r.ok()) {
      throw new IOException("kill -" + sig + " " + pid + ": " + r.output().strip());
    }
  }
}
