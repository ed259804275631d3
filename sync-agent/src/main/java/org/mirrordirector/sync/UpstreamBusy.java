package org.mirrordirector.sync;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The upstream's own ftpsync lock: a half-updated upstream is never copied. */
final class UpstreamBusy {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamBusy.class);

  private UpstreamBusy() {}

  /**
   * Waits while the upstream shows its own Archive-Update-in-Progress lock (a half-updated upstream
   * must not be copied); returns why it gave up, or empty when the upstream is quiet.
   */
  static Optional<String> await(Rsync rsync, SyncConfig config, String upstream)
      throws InterruptedException {
    String why = null;
    for (int look = 1; look <= config.upstreamBusyTries(); look++) {
      try {
        List<String> locks =
            rsync.listTop(upstream).stream()
                .filter(n -> n.startsWith("Archive-Update-in-Progress-"))
                .toList();
        if (locks.isEmpty()) {
          return Optional.empty();
        }
        why =
            "the upstream is being updated ("
                + String.join(", ", locks)
                + " present after "
                + look
                + " look(s))";
      } catch (IOException e) {
        return Optional.of("cannot list the upstream: " + e.getMessage());
      }
      if (look < config.upstreamBusyTries()) {
        LOG.info("[{}] {}; looking again in {}", config.host(), why, config.upstreamBusyWait());
        Thread.sleep(config.upstreamBusyWait().toMillis());
      }
    }
    return Optional.of(why);
  }
}
