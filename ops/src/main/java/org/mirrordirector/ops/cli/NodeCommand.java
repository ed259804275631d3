package org.mirrordirector.ops.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.mirrordirector.ops.node.Node;
import org.mirrordirector.ops.node.NodeConfig;
import org.mirrordirector.ops.node.NodeConfigFile;
import org.mirrordirector.ops.node.NodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mirrorctl node}: runs one node until it is stopped (SIGTERM or SIGINT). */
@Command(
    name = "node",
    description = {
      "Run one node: director, sync agent, rsync module for the hot spare, and prober (while"
          + " active), from a YAML file.",
      "Every option and its default: mirrorctl node --config FILE --print-config."
    })
public final class NodeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "node.yaml")
  public Path config;

  @Option(
      names = "--print-config",
      description = "Print the effective configuration (every key, its value and meaning), exit.")
  public boolean printConfig;

  @Option(names = "--check", description = "Check the configuration and exit.")
  public boolean check;

  @Override
  public Integer call() throws Exception {
    NodeConfig c = NodeConfigFile.load(config);
    if (printConfig) {
      spec.commandLine().getOut().print(NodeOptions.describe(c));
      spec.commandLine().getOut().flush();
      return ExitCode.OK;
    }
    if (check) {
      spec.commandLine().getOut().println(config + ": OK (node " + c.node().id() + ")");
      return ExitCode.OK;
    }
    Node node = Node.start(c);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  node.close();
                  stopped.countDown();
                },
                "node-stop"));
    spec.commandLine()
        .getOut()
        .println(
            "node "
                + c.node().id()
                + " running: director http://"
                + c.node().address()
                + "/ (status /status, leader check /leader)");
    spec.commandLine().getOut().flush();
    stopped.await();
    return ExitCode.OK;
  }
}
