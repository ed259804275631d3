package org.mirrordirector.failover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An external command run on promotion or demotion (a VIP or load-balancer script), with the epoch,
 * node and role in its environment and a hard timeout. Its output is logged; its failure is logged,
 * never fatal: fencing, not the hook, keeps the cluster safe.
 */
final class CommandHook {
  private static final Logger LOG = LoggerFactory.getLogger(CommandHook.class);

  private CommandHook() {}

  /** Runs the command and waits for it; returns its exit code, or -1 on timeout or failure. */
  static int run(List<String> command, String node, String role, long epoch, Duration timeout) {
    if (command.isEmpty()) {
      return 0;
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("MD_EPOCH", Long.toString(epoch));
    pb.environment().put("MD_NODE", node);
    pb.environment().put("MD_ROLE", role);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      Thread drain =
          new Thread(
              () -> {
                try {
                  String out =
                      new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                  if (!out.isEmpty()) {
                    LOG.info("[{}] hook {} said: {}", node, command.get(0), out);
                  }
                } catch (IOException e) {
                  // the process went away; nothing to log
                }
              },
              "hook-output-" + node);
      drain.setDaemon(true);
      drain.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        // the hook and whatever it started: a script's child would hold the output open
        ProcessTree.kill(p.toHandle());
        LOG.warn(
            "[{}] hook {} ({} epoch {}) ran longer than {} and was killed",
            node,
            command,
            role,
            epoch,
            timeout);
        return -1;
      }
      if (p.exitValue() != 0) {
        LOG.warn("[{}] hook {} ({} epoch {}) exited {}", node, command, role, epoch, p.exitValue());
      }
      return p.exitValue();
    } catch (IOException e) {
      LOG.warn("[{}] hook {} cannot run: {}", node, command, e.toString());
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
