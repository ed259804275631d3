package org.mirrordirector.sync;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code rsync --daemon} on 127.0.0.1 (or on another loopback address, such as {@code ::1})
 * serving one directory as module {@code archive}.
 */
public final class RsyncDaemon implements AutoCloseable {
  private final Process process;
  private final int port;
  private final String address;

  public RsyncDaemon(Path workDir, Path module) throws IOException, InterruptedException {
    this(workDir, module, "127.0.0.1");
  }

  /** A daemon listening on {@code address} only ({@code ::1}: an IPv6-only upstream). */
  public RsyncDaemon(Path workDir, Path module, String address)
      throws IOException, InterruptedException {
    this.address = address;
    Files.createDirectories(workDir);
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
      port = s.getLocalPort();
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    String conf =
        "pid file = "
            + workDir.resolve("rsyncd.pid")
            + "\n"
            + "use chroot = no\n"
            + (root ? "uid = root\ngid = root\n" : "")
            + "[archive]\n"
            + "  path = "
            + module
            + "\n"
            + "  read only = yes\n";
    Path confFile = workDir.resolve("rsyncd.conf");
    Files.writeString(confFile, conf);
    process =
        new ProcessBuilder(
                "rsync",
                "--daemon",
                "--no-detach",
                "--config=" + confFile,
                "--port=" + port,
                "--address=" + address,
                "--log-file=" + workDir.resolve("rsyncd.log"))
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("rsyncd.out").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket(InetAddress.getByName(address), port)) {
        return;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IOException(
              "rsync --daemon did not start: " + Files.readString(workDir.resolve("rsyncd.out")));
        }
        Thread.sleep(20);
      }
    }
  }

  public String url() {
    return "rsync://"
        + (address.contains(":") ? "[" + address + "]" : address)
        + ":"
        + port
        + "/archive/";
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
