package org.mirrordirector.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real ZooKeeper ensemble of separate server processes on 127.0.0.1 ({@code QuorumPeerMain}, the
 * server a deployment runs): voters and observers ({@code peerType=observer}), each of which can be
 * killed and started again. Ticks of 500 ms, so sessions of 1 to 10 s.
 */
final class ZooKeeperProcesses implements AutoCloseable {
  /** One server: its number, whether it observes, its client port. */
  record Server(int id, boolean observer, int clientPort, int quorumPort, int electionPort) {}

  private final Path dir;
  private final Map<Integer, Server> servers = new LinkedHashMap<>();
  private final Map<Integer, Process> running = new LinkedHashMap<>();

  ZooKeeperProcesses(Path dir, int voters, int observers) throws IOException {
    this.dir = dir;
    for (int i = 1; i <= voters + observers; i++) {
      servers.put(
          i,
          new Server(
              i,
              i > voters,
              TestNodes.freePort("127.0.0.1"),
              TestNodes.freePort("127.0.0.1"),
              TestNodes.freePort("127.0.0.1")));
    }
    StringBuilder members = new StringBuilder();
    for (Server s : servers.values()) {
      members
          .append("server.")
          .append(s.id())
          .append("=127.0.0.1:")
          .append(s.quorumPort())
          .append(':')
          .append(s.electionPort())
          .append(s.observer() ? ":observer" : "")
          .append('\n');
    }
    for (Server s : servers.values()) {
      Path d = Files.createDirectories(dir.resolve("zk" + s.id()));
      Files.writeString(d.resolve("myid"), s.id() + "\n");
      Files.writeString(
          d.resolve("zoo.cfg"),
          "tickTime=500\ninitLimit=20\nsyncLimit=4\ndataDir="
              + d
              + "\nclientPortAddress=127.0.0.1\nclientPort="
              + s.clientPort()
              + "\nadmin.enableServer=false\n4lw.commands.whitelist=srvr,ruok\n"
              + (s.observer() ? "peerType=observer\n" : "")
              + members);
    }
  }

  /** Starts every server. */
  ZooKeeperProcesses startAll() throws IOException {
    for (int id : servers.keySet()) {
      start(id);
    }
    return this;
  }

  void start(int id) throws IOException {
    Path d = dir.resolve("zk" + id);
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dzookeeper.admin.enableServer=false",
                "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                d.resolve("zoo.cfg").toString())
            .redirectErrorStream(true)
            .redirectOutput(d.resolve("server.log").toFile())
            .start();
    running.put(id, p);
  }

  /** Kills a server's process (SIGKILL) and waits for it to be gone. */
  void kill(int id) throws InterruptedException {
    Process p = running.remove(id);
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The connect string of these servers alone. */
  String connect(int... ids) {
    List<String> hp = new ArrayList<>();
    for (int id : ids) {
      hp.add("127.0.0.1:" + servers.get(id).clientPort());
    }
    return String.join(",", hp);
  }

  /** The server's mode from its {@code srvr} answer (leader, follower, observer), or null. */
  String mode(int id) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", servers.get(id).clientPort()), 500);
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("srvr".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      for (String line : text.split("\n")) {
        if (line.startsWith("Mode: ")) {
          return line.substring(6).strip();
        }
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Waits until every running server serves (a leader elected, the observers following it). */
  void awaitServing(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int id : running.keySet()) {
      while (mode(id) == null) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "ZooKeeper server " + id + " does not serve; see " + dir.resolve("zk" + id));
        }
        Thread.sleep(100);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (int id : new ArrayList<>(running.keySet())) {
      kill(id);
    }
  }
}
