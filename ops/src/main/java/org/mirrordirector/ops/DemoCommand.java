package org.mirrordirector.ops;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
      "Prints the apt sources line, the status page and the drill command; Ctrl-C stops it all."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--dir",
      defaultValue = "mirrordirector-demo",
      description = "Where its files go (kept between runs). Default: ${DEFAULT-VALUE}.")
  Path dir;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description =
          "The service port; the parts use the 10 ports after it (0: any free ports). Default:"
              + " ${DEFAULT-VALUE}.")
  int port;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65500) {
      throw new Mirrorctl.UsageException("--port must be 0 or 1-65500: " + port);
    }
    var out = spec.commandLine().getOut();
    Demo demo = new Demo(dir, out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  demo.close();
                  stopped.countDown();
                },
                "demo-stop"));
    Demo.Layout l = demo.start(port, Duration.ofSeconds(90));
    String root = l.service() + "raspbian/";
    out.println();
    out.println("Mirror Director demo is ready.");
    out.println("  apt sources line (" + l.keyring() + " is the archive key):");
    out.println("    deb [signed-by=" + l.keyring() + "] " + root + " bookworm main rpi");
    out.println("  status page:   " + l.service() + "status");
    out.println("  cluster:       mirrorctl status --url " + l.service());
    out.println("  failover drill: mirrorctl drill --demo " + l.dir() + " --mode crash");
    out.println("  node configs:  " + l.nodeConfigs().values());
    out.println("  logs:          " + l.dir().resolve("logs"));
    out.println("Ctrl-C stops the demo.");
    out.flush();
    stopped.await();
    return Mirrorctl.OK;
  }
}
