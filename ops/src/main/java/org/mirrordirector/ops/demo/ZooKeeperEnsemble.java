package org.mirrordirector.ops.demo;

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
import org.mirrordirector.failover.TcpProxy;
import org.mirrordirector.ops.process.ChildProcesses;

/**
 * A ZooKeeper ensemble of separate server processes on 127.0.0.1 ({@code QuorumPeerMain}, the
 * server a deployment runs): voters and observers ({@code peerType=observer}), each of which can be
 * killed and started again. Each observer reaches the voters through links of its own (TCP proxies
 * on the voters' quorum ports), which {@link #cut} severs: a region cut off from the writers'
 * quorum while its observer keeps running. Ticks of 500 ms, so sessions of 1 to 10 s; a single
 * voter forms a quorum of its own ({@code standaloneEnabled=false}), so that observers can follow
 * it.
 */
public final class ZooKeeperEnsemble implements AutoCloseable {
  /** Where the next free port comes from. */
  public interface Ports {
    public int next() throws IOException;
  }

  private record Server(
      int id, boolean observer, int clientPort, int quorumPort, int electionPort) {}

  private final Path dir;
  private final Map<Integer, Server> servers = new LinkedHashMap<>();
  private final Map<Integer, Process> running = new LinkedHashMap<>();
  private final Map<Integer, List<TcpProxy>> links = new LinkedHashMap<>();

  /** Servers 1..voters vote; the next {@code observers} observe. Writes their files. */
  public ZooKeeperEnsemble(Path dir, int voters, int observers, Ports ports) throws IOException {
    if (voters < 1 || observers < 0) {
      throw new IllegalArgumentException("voters >= 1 and observers >= 0");
    }
    this.dir = dir;
    // A free port found by binding and releasing it can come back from the next search, and a
    // proxy's own port can be one handed out before: every port here is distinct, or the server
    // that finds its port taken never serves.
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    Ports distinct =
        () -> {
          for (int tries = 0; tries < 100; tries++) {
            int p = ports.next();
            if (taken.add(p)) {
              return p;
            }
          }
          throw new IOException("no distinct free port found");
        };
    for (int i = 1; i <= voters + observers; i++) {
      servers.put(i, new Server(i, i > voters, distinct.next(), distinct.next(), distinct.next()));
    }
    for (Server s : servers.values()) {
      StringBuilder members = new StringBuilder();
      List<TcpProxy> mine = new ArrayList<>();
      for (Server m : servers.values()) {
        int quorum = m.quorumPort();
        if (s.observer() && !m.observer()) {
          TcpProxy link = new TcpProxy(m.quorumPort());
          while (!taken.add(link.port())) {
            TcpProxy again = new TcpProxy(m.quorumPort());
            link.close();
            link = again;
          }
          mine.add(link);
          quorum = link.port();
        }
        members
            .append("server.")
            .append(m.id())
            .append("=127.0.0.1:")
            .append(quorum)
            .append(':')
            .append(m.electionPort())
            .append(m.observer() ? ":observer" : "")
            .append('\n');
      }
      if (s.observer()) {
        links.put(s.id(), mine);
      }
      Path d = Files.createDirectories(dir.resolve("zk" + s.id()));
      Files.writeString(d.resolve("myid"), s.id() + "\n");
      Files.writeString(
          d.resolve("zoo.cfg"),
          "tickTime=500\ninitLimit=20\nsyncLimit=4\ndataDir="
              + d
              + "\nclientPortAddress=127.0.0.1\nclientPort="
              + s.clientPort()
              + "\nstandaloneEnabled=false\nreconfigEnabled=false\nadmin.enableServer=false\n"
              + "4lw.commands.whitelist=srvr,ruok\n"
              + (s.observer() ? "peerType=observer\n" : "")
              + members);
    }
  }

  /** Starts every server. */
  public ZooKeeperEnsemble startAll() throws IOException {
    for (int id : servers.keySet()) {
      start(id);
    }
    return this;
  }

  /** Starts a server's process; its output goes to zkID/server.log. */
  public synchronized void start(int id) throws IOException {
    Path d = dir.resolve("zk" + id);
    List<String> cmd = new ArrayList<>(ChildProcesses.java());
    cmd.addAll(
        List.of(
            "-Xmx128m",
            "-cp",
            System.getProperty("java.class.path"),
            "-Dzookeeper.admin.enableServer=false",
            "org.apache.zookeeper.server.quorum.QuorumPeerMain",
            d.resolve("zoo.cfg").toString()));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(d.resolve("server.log").toFile()))
            .start();
    running.put(id, p);
  }

  /** Kills a server's process (SIGKILL) and waits until it is gone. */
  public synchronized void kill(int id) throws InterruptedException {
    Process p = running.remove(id);
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Severs an observer's links to the voters (it keeps running, cut off). */
  public void cut(int observer) {
    for (TcpProxy l : observerLinks(observer)) {
      l.cut();
    }
  }

  /** Mends an observer's links to the voters. */
  public void restore(int observer) {
    for (TcpProxy l : observerLinks(observer)) {
      l.restore();
    }
  }

  public boolean isCut(int observer) {
    return observerLinks(observer).stream().allMatch(TcpProxy::isCut);
  }

  private List<TcpProxy> observerLinks(int observer) {
    List<TcpProxy> l = links.get(observer);
    if (l == null) {
      throw new IllegalArgumentException("server " + observer + " is not an observer");
    }
    return l;
  }

  /** A server's client port. */
  public int clientPort(int id) {
    return servers.get(id).clientPort();
  }

  /** The connect string of these servers alone. */
  public String connect(int... ids) {
    List<String> hp = new ArrayList<>();
    for (int id : ids) {
      hp.add("127.0.0.1:" + servers.get(id).clientPort());
    }
    return String.join(",", hp);
  }

  /** The server's mode from its {@code srvr} answer (leader, follower, observer), or null. */
  public String mode(int id) {
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
  public void awaitServing(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int id : new ArrayList<>(running.keySet())) {
      while (mode(id) == null) {
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "ZooKeeper server "
                  + id
                  + " does not serve; the end of "
                  + dir.resolve("zk" + id + "/server.log")
                  + ":\n"
                  + tail(dir.resolve("zk" + id + "/server.log"), 20));
        }
        Thread.sleep(100);
      }
    }
  }

  private static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    for (int id : new ArrayList<>(running.keySet())) {
      try {
        kill(id);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (List<TcpProxy> l : links.values()) {
      l.forEach(TcpProxy::close);
    }
  }
}
