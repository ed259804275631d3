package org.mirrordirector.ops.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RunResult;

/**
 * How the demo's mirrors copy the upstream with rsync: ftpsync's two stages under a lock, a
 * careless one-stage copy, and a copy of the indexes alone (a sync that died between its stages).
 */
public final class MirrorCopies {
  private final String upstreamUrl;
  private final int pushedKBps;

  /**
   * @param upstreamUrl the upstream's rsync URL, ending in /
   * @param pushedKBps the bandwidth limit of each copy in KiB/s, 0 for none
   */
  public MirrorCopies(String upstreamUrl, int pushedKBps) {
    this.upstreamUrl = upstreamUrl;
    this.pushedKBps = pushedKBps;
  }

  /** ftpsync's way: the lock, stage 1 without indexes or deletions, stage 2, the trace. */
  public void twoStage(Path tree) throws IOException, InterruptedException {
    Path lock = tree.resolve("Archive-Update-in-Progress-127.0.0.1");
    Files.writeString(lock, ProcessHandle.current().pid() + "\n");
    String limit = pushedKBps > 0 ? "--bwlimit=" + pushedKBps : "--bwlimit=0";
    try {
      run(
          List.of(
              "rsync",
              "-a",
              limit,
              "--exclude=Packages*",
              "--exclude=Sources*",
              "--exclude=Release*",
              "--exclude=InRelease",
              "--exclude=i18n/*",
              "--exclude=Contents*",
              upstreamUrl,
              tree + "/"));
      run(
          List.of(
              "rsync",
              "-a",
              limit,
              "--delete",
              "--delay-updates",
              "--delete-delay",
              "--exclude=Archive-Update-in-Progress-*",
              "--exclude=project/trace/127.0.0.1",
              upstreamUrl,
              tree + "/"));
      Path trace = tree.resolve("project/trace/127.0.0.1");
      Files.createDirectories(trace.getParent());
      Path tmp = trace.resolveSibling(".127.0.0.1.tmp");
      Files.writeString(
          tmp,
          "Date: "
              + org.mirrordirector.sync.archive.Rfc2822Dates.format(Instant.now())
              + "\nCreator: mirrorctl demo\n");
      Files.move(tmp, trace, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(lock);
    }
  }

  /** What a careless mirror runs: one pass, in name order, deleting as it goes. */
  public void oneStage(Path tree) throws IOException, InterruptedException {
    run(List.of("rsync", "-a", "--delete", upstreamUrl, tree + "/"));
  }

  /** The upstream's {@code dists/} alone, with deletions: new indexes over the old pool. */
  public void distsOnly(Path tree) throws IOException, InterruptedException {
    run(List.of("rsync", "-a", "--delete", upstreamUrl + "dists/", tree + "/dists/"));
  }

  public static void run(List<String> cmd) throws IOException, InterruptedException {
    RunResult r = BoundedRun.run(cmd, null, java.time.Duration.ofMinutes(10));
    int rc = r.exit();
    if (rc != 0 && rc != 24) { // 24: files vanished meanwhile, harmless
      throw new IOException(
          String.join(" ", cmd)
              + (rc < 0 ? " ran 10 minutes and was killed" : " exited " + rc)
              + ": "
              + r.output().strip());
    }
  }

  /** A copy of a tree ({@code cp -a}), as a mirror made from the upstream starts. */
  public static void copyTree(Path from, Path to) throws IOException, InterruptedException {
    Files.createDirectories(to);
    RunResult r =
        BoundedRun.run(
            List.of("cp", "-a", from + "/.", to.toString()), null, Duration.ofMinutes(10));
    if (!r.ok()) {
      throw new IOException(
          "cp -a "
              + from
              + " "
              + to
              + (r.exit() < 0 ? " ran 10 minutes and was killed" : "")
              + ": "
              + r.output().strip());
    }
  }
}
