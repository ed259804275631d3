package org.mirrordirector.ops.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.mirrordirector.ops.common.Durations;
import org.mirrordirector.ops.demo.Demo;
import org.mirrordirector.ops.demo.DemoLayout;
import org.mirrordirector.ops.demo.MotionSettings;
import org.mirrordirector.ops.hosting.HostingDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mirrorctl demo}: the whole system on this machine, offline, until Ctrl-C. */
@Command(
    name = "demo",
    description = {
      "Run everything on this machine, offline: a signed upstream behind rsync, ZooKeeper, a"
          + " primary and a hot-spare node (separate processes), three public mirrors (current,"
          + " lagging, broken), and HAProxy in front when it is installed.",
      "Prints the apt sources line, the status page and the drill command; Ctrl-C stops it all.",
      "With --publish-every, the upstream publishes a new version at that interval and two more"
          + " mirrors follow it as real ones do: 'pushed' copies each version right away with"
          + " ftpsync's two stages, before the nodes have synced, and 'naive' runs a one-stage"
          + " rsync --delete a while later (new indexes before the pool).",
      "With --ipv6-only-backend (root only), the hosting's shape instead: the nodes in an"
          + " IPv6-only network namespace with NAT64, mirrors of every address family, HAProxy"
          + " ending TLS for both families; the front end on 127.0.0.1 and ::1 at --port."
    })
public final class DemoCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      // Outside any checkout, so that a demo run from one leaves nothing for git to show.
      defaultValue = "${sys:user.home}/.local/state/mirrordirector/demo",
      description =
          "Where its files go (kept between runs). Default: ~/.local/state/mirrordirector/demo.")
  public Path dir;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description =
          "The service port; the parts use the 10 ports after it, 13 with --publish-every (0:"
              + " any free ports). Default: ${DEFAULT-VALUE}.")
  public int port;

  @Option(
      names = "--publish-every",
      description =
          "Publish a new upstream version this often (e.g. 30s, at least 5s), followed by a"
              + " pushed and a naive mirror. Default: never.")
  public String publishEvery;

  @Option(
      names = "--replicas",
      defaultValue = "0",
      description =
          "Director replicas (0-4), each in a region of its own with its own ZooKeeper observer;"
              + " ZooKeeper then runs as server processes (a voter and the observers). Default:"
              + " ${DEFAULT-VALUE}.")
  public int replicas;

  @Option(
      names = "--ipv6-only-backend",
      description =
          "Run it as the hosting does (root only): the nodes in an IPv6-only backend namespace"
              + " reaching IPv4 through NAT64 (tayga), mirrors IPv4-only, IPv6-only, dual-stack"
              + " and with a broken IPv6, HAProxy ending TLS for both families; removed on exit.")
  public boolean ipv6OnlyBackend;

  @Override
  public Integer call() throws Exception {
    if (ipv6OnlyBackend) {
      return hosting();
    }
    if (replicas < 0 || replicas > 4) {
      throw new UsageException("--replicas must be 0-4: " + replicas);
    }
    if (port < 0 || port > 65500) {
      throw new UsageException("--port must be 0 or 1-65500: " + port);
    }
    MotionSettings motion = null;
    if (publishEvery != null) {
      Duration every;
      try {
        every = Durations.parse(publishEvery);
      } catch (RuntimeException e) {
        throw new UsageException(
            "--publish-every: '" + publishEvery + "' is not a duration such as 30s or 5m");
      }
      if (every.compareTo(Duration.ofSeconds(5)) < 0) {
        throw new UsageException("--publish-every must be at least 5s: " + publishEvery);
      }
      motion = MotionSettings.every(every);
    }
    var out = spec.commandLine().getOut();
    Demo demo = new Demo(dir, out, motion, replicas);
    CountDownLatch stopped = closedOnExit(demo::close);
    DemoLayout l = demo.start(port, Duration.ofSeconds(90));
    String root = l.service() + "raspbian/";
    out.println();
    out.println("Mirror Director demo is ready.");
    out.println("  apt sources line (" + l.keyring() + " is the archive key):");
    out.println("    deb [signed-by=" + l.keyring() + "] " + root + " bookworm main rpi");
    out.println("  status page:   " + l.service() + "status");
    out.println("  cluster:       mirrorctl status --url " + l.service());
    out.println("  failover drill: mirrorctl drill --demo " + l.dir() + " --mode crash");
    for (var r : l.replicaPorts().entrySet()) {
      out.println("  replica:       " + r.getKey() + " on http://127.0.0.1:" + r.getValue() + "/");
    }
    if (!l.replicaPorts().isEmpty()) {
      out.println("  region drill:  mirrorctl drill --demo " + l.dir() + " --mode region");
    }
    out.println("  node configs:  " + l.nodeConfigs().values());
    out.println("  logs:          " + l.dir().resolve("logs"));
    out.println("Ctrl-C stops the demo.");
    out.flush();
    stopped.await();
    return ExitCode.OK;
  }

  /** {@code --ipv6-only-backend}: the hosting's shape, refused where it cannot run. */
  private int hosting() throws Exception {
    if (publishEvery != null || replicas != 0) {
      throw new UsageException(
          "--ipv6-only-backend runs the hosting's own shape: leave out --publish-every and"
              + " --replicas");
    }
    if (port < 0 || port > 65535) {
      throw new UsageException("--port must be 0 or 1-65535: " + port);
    }
    java.util.Optional<String> why = HostingDemo.unavailable(HostingDemo::onPath);
    if (why.isPresent()) {
      throw new UsageException("--ipv6-only-backend cannot run here: " + why.get());
    }
    var out = spec.commandLine().getOut();
    HostingDemo demo = HostingDemo.start(dir.resolve("ipv6-only-backend"), port, out);
    CountDownLatch stopped = closedOnExit(demo::close);
    out.println();
    out.println("Mirror Director demo (the hosting's shape: IPv6-only backend, NAT64) is ready.");
    demo.usage().forEach(out::println);
    out.println("Ctrl-C stops the demo and removes its namespaces.");
    out.flush();
    stopped.await();
    return ExitCode.OK;
  }

  /** Runs {@code close} when the JVM is stopped (Ctrl-C, SIGTERM); the latch opens after it. */
  private static CountDownLatch closedOnExit(Runnable close) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  close.run();
                  stopped.countDown();
                },
                "demo-stop"));
    return stopped;
  }
}
