package org.mirrordirector.ops.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.mirrordirector.ops.process.ChildProcesses;

/**
 * This node's published tree as a read-only rsync module ({@code rsync --daemon}), from which the
 * hot spare copies. The module's path is the {@code current} symlink, so each connection sees one
 * whole snapshot, never a publish in progress.
 */
public final class RsyncModule implements AutoCloseable {
  private final Process process;
  private final String url;
  private final Path dir;

  /**
   * @param dir where the daemon's config, pid and log files go
   * @param tree the directory (or symlink) to serve
   * @param advertised the host name peers use for this node
   */
  public RsyncModule(Path dir, Path tree, String host, int port, String advertised)
      throws IOException, InterruptedException {
    this(dir, java.util.Map.of("archive", tree), host, port, advertised);
  }

  /**
   * Several modules in one daemon: the first archive's as {@code archive}, every further one under
   * its name (a node that serves several archives).
   *
   * @param trees module name to the directory (or symlink) it serves, the first archive's first
   */
  public RsyncModule(
      Path dir, java.util.Map<String, Path> trees, String host, int port, String advertised)
      throws IOException, InterruptedException {
    this.dir = dir;
    Files.createDirectories(dir);
    // A daemon started as root switches to nobody, who may not read the snapshots: it keeps the
    // node's own user instead. It only reads (read only = yes).
    boolean root = "root".equals(System.getProperty("user.name"));
    String conf =
        "# written by mirrorctl node at every start\n"
            + "pid file = "
            + dir.resolve("rsyncd.pid")
            + "\nuse chroot = no\n"
            + (root ? "uid = root\ngid = root\n" : "")
            + modules(trees);
    Path confFile = dir.resolve("rsyncd.conf");
    stopStale(dir.resolve("rsyncd.pid"), confFile);
    Files.writeString(confFile, conf);
    Files.deleteIfExists(dir.resolve("rsyncd.pid"));
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new IOException(
          "the rsync module cannot listen on " + host + ":" + port + ": " + e.getMessage());
    }
    try {
      process =
          new ProcessBuilder(
                  "rsync",
                  "--daemon",
                  "--no-detach",
                  "--config=" + confFile,
                  "--port=" + port,
                  "--address=" + host,
                  "--log-file=" + dir.resolve("rsyncd.log"))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("rsyncd.out").toFile())
              .start();
    } catch (IOException e) {
      throw new IOException("cannot start rsync --daemon (is rsync installed?): " + e.getMessage());
    }
    ChildProcesses.awaitListening(process, "rsync --daemon", host, port, dir.resolve("rsyncd.out"));
    String h =
        advertised.contains(":") && !advertised.startsWith("[")
            ? "[" + advertised + "]"
            : advertised;
    this.url = "rsync://" + h + ":" + port + "/archive/";
  }

  /**
   * The daemon of this node's previous run, when the node was killed (SIGKILL leaves its children
   * running): stopped, so that this run's daemon can listen and serves this run's config.
   */
  private static void stopStale(Path pidFile, Path confFile) throws IOException {
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile).strip());
    } catch (NumberFormatException e) {
      return;
    }
    java.util.Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isPresent()
        && h.get()
            .info()
            .commandLine()
            .map(c -> c.contains("--config=" + confFile))
            .orElse(false)) {
      h.get().destroy();
      try {
        h.get().onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.get().destroyForcibly();
      }
    }
  }

  private static String modules(java.util.Map<String, Path> trees) {
    StringBuilder b = new StringBuilder();
    for (java.util.Map.Entry<String, Path> t : new java.util.TreeMap<>(trees).entrySet()) {
      b.append('[')
          .append(t.getKey())
          .append("]\n  path = ")
          .append(t.getValue())
          .append("\n  read only = yes\n  comment = Mirror Director published snapshot\n");
    }
    return b.toString();
  }

  /** The module's URL for peers: rsync://host:port/archive/. */
  public String url() {
    return url;
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    ChildProcesses.stop(process, Duration.ofSeconds(5));
  }
}
