package org.mirrordirector.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import org.mirrordirector.sync.archive.Rfc2822Dates;

/** A snapshot's ftpsync trace file ({@code project/trace/HOST}), as mirrors and probers read it. */
final class TraceFile {
  private TraceFile() {}

  /** The ftpsync trace file, written (tmp + rename) only after both stages succeeded. */
  static void write(SyncConfig config, String upstream, Path tree, Duration s1, Duration s2)
      throws IOException {
    Instant now = config.clock().instant();
    String trace =
        "Date: "
            + Rfc2822Dates.format(now)
            + "\n"
            + "Date-Started: "
            + Rfc2822Dates.format(now.minus(s1).minus(s2))
            + "\n"
            + "Archive serial: "
            + tree.getFileName().toString().replace(".partial-", "")
            + "\n"
            + "Creator: mirrordirector sync-agent\n"
            + "Running on host: "
            + config.host()
            + "\n"
            + "Upstream-mirror: "
            + upstream
            + "\n"
            + "Total time spent in stage1 rsync: "
            + s1.toSeconds()
            + "\n"
            + "Total time spent in stage2 rsync: "
            + s2.toSeconds()
            + "\n";
    Path dir = tree.resolve("project/trace");
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + config.host() + ".new");
    Files.writeString(tmp, trace, StandardCharsets.UTF_8);
    Files.move(
        tmp,
        dir.resolve(config.host()),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }
}
