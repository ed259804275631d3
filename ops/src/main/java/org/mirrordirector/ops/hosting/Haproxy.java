package org.mirrordirector.ops.hosting;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.mirrordirector.ops.process.ChildProcesses;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RunResult;

/**
 * HAProxy in front of the nodes, as the demo runs it and as production would: clients go to the
 * node whose {@code /leader} answers 200, checked every 500 ms; while none does (during a
 * failover), to the first node whose {@code /ready} does (one node at a time, so that an apt
 * update's InRelease and indexes come from one snapshot). Runs in the foreground ({@code -db}) as a
 * child process.
 */
public final class Haproxy implements AutoCloseable {
  private static final Duration LIMIT = Duration.ofSeconds(30);
  private final Process process;

  public static boolean available() {
    try {
      return BoundedRun.run(
              List.of("haproxy", "-v"),
              null,
              Path.of(System.getProperty("java.io.tmpdir")),
              Duration.ofSeconds(10))
          .ok();
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The configuration: also what ops/examples/haproxy.cfg shows for production. */
  public static String config(int port, Collection<Integer> nodePorts) {
    return config("127.0.0.1", port, nodePorts);
  }

  /**
   * The configuration on one loopback address: {@code 127.0.0.1}, or {@code ::1} for an IPv6-only
   * run (the frontend and the nodes on ::1, as the hosting's IPv6-only backends).
   */
  public static String config(String host, int port, Collection<Integer> nodePorts) {
    List<String> servers = new java.util.ArrayList<>();
    for (int p : nodePorts) {
      servers.add(hostPort(host, p));
    }
    return config(List.of(hostPort(host, port)), servers);
  }

  /**
   * The configuration with several binds ({@code 192.0.2.254:80}, {@code [2001:db8:1::fe]:80}: a
   * dual-stack front end) and nodes at their own addresses ({@code [2001:db8:64::2]:8080}).
   */
  public static String config(List<String> binds, List<String> servers) {
    StringBuilder b =
        new StringBuilder(
            """
            # written by mirrorctl demo
            global
              maxconn 4096

            defaults
              mode http
              timeout connect 2s
              timeout client 60s
              timeout server 30s
              timeout check 1s
              timeout http-request 10s
              # a request whose connection failed goes to the other node
              retries 3
              option redispatch
              retry-on conn-failure empty-response response-timeout
              # the nodes trust this proxy's X-Forwarded-For and -Proto (director.trusted-proxies)
              option forwardfor

            frontend service
            """);
    for (String bind : binds) {
      b.append("  bind ").append(bind).append('\n');
    }
    b.append("  http-request set-header X-Forwarded-Proto https if { ssl_fc }\n");
    b.append("  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }\n");
    b.append(
        """
          # while no node leads (the seconds of a failover), the first ready node answers: a standby's
          # director redirects from its own view of the registry, which is static stability
          use_backend spares if { nbsrv(nodes) eq 0 }
          default_backend nodes

        backend nodes
          # only the active node answers 200 on /leader, and only while its ZooKeeper contact is fresh
          option httpchk GET /leader
          http-check expect status 200
          default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 2
        """);
    servers(b, servers);
    b.append(
        """

        backend spares
          # one node at a time, the first ready one: the nodes may sit at different snapshots for a
          # moment, and apt takes an update's indexes from where its InRelease came from
          balance first
          option httpchk GET /ready
          http-check expect status 200
          default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 2
        """);
    servers(b, servers);
    return b.toString();
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static void servers(StringBuilder b, List<String> servers) {
    int i = 0;
    for (String s : servers) {
      b.append("  server node-")
          .append((char) ('a' + i++))
          .append(' ')
          .append(s)
          .append(" check\n");
    }
  }

  public Haproxy(Path dir, int port, Collection<Integer> nodePorts)
      throws IOException, InterruptedException {
    this(dir, "127.0.0.1", port, nodePorts);
  }

  public Haproxy(Path dir, String host, int port, Collection<Integer> nodePorts)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, config(host, port, nodePorts));
    RunResult check =
        BoundedRun.run(List.of("haproxy", "-c", "-f", cfg.toString()), null, dir, LIMIT);
    if (!check.ok()) {
      throw new IOException(
          "haproxy rejects "
              + cfg
              + (check.exit() < 0 ? " (no answer within " + LIMIT.toSeconds() + " s)" : "")
              + ": "
              + check.output().strip());
    }
    process =
        new ProcessBuilder("haproxy", "-db", "-f", cfg.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("haproxy.log").toFile())
            .start();
    ChildProcesses.awaitListening(process, "haproxy", host, port, dir.resolve("haproxy.log"));
  }

  @Override
  public void close() {
    ChildProcesses.stop(process, Duration.ofSeconds(5));
  }
}
