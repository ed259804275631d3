package org.mirrordirector.ops.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.mirrordirector.ops.drill.DrillFaults;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RunResult;

/**
 * Faults through a command the operator gives (ssh to the node and a script there): {node} and
 * {action} are replaced; a non-zero exit fails the drill with the command's output.
 */
public final class CommandFaults implements DrillFaults {
  private final String template;

  public CommandFaults(String template) {
    if (!template.contains("{action}")) {
      throw new UsageException(
          "--fault-command must contain {action} (and usually {node}): '" + template + "'");
    }
    this.template = template;
  }

  @Override
  public String act(String node, String action) throws IOException, InterruptedException {
    if (!node.matches("[A-Za-z0-9._-]+")) {
      throw new IOException("refusing to put node id '" + node + "' into a shell command");
    }
    String cmd = template.replace("{node}", node).replace("{action}", action);
    RunResult r = BoundedRun.run(List.of("sh", "-c", cmd), null, Duration.ofSeconds(120));
    String out = r.output().strip();
    if (r.exit() < 0) {
      throw new IOException(
          cmd + ": no answer within 120 s, killed" + (out.isEmpty() ? "" : "; it said: " + out));
    }
    if (r.exit() != 0) {
      throw new IOException(cmd + ": exit " + r.exit() + (out.isEmpty() ? "" : ": " + out));
    }
    return node + " " + action + (out.isEmpty() ? "" : ": " + out);
  }
}
