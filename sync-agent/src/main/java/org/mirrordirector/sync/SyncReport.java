package org.mirrordirector.sync;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.mirrordirector.sync.archive.SnapshotId;
import org.mirrordirector.sync.archive.VerificationReport;

/**
 * What one sync run did.
 *
 * @param upstream where this run copied from
 * @param snapshot the published snapshot directory (PUBLISHED), or the current one (UNCHANGED)
 * @param ids the InRelease identity of each verified suite
 * @param received files rsync transferred (the rest were hard links to the previous snapshot)
 * @param receivedPool the pool paths among them, with their sizes (what is new in this snapshot)
 * @param estimatedBytes the new pool bytes estimated from the new indexes before copying
 * @param rehashed remembered pool files hashed again because they were due (rolling re-hash)
 * @param repaired local pool files found corrupt (bit rot) and fetched again
 * @param stage1 rsync's time for the new indexes (space estimate) and the pool
 * @param stage2 rsync's time for everything with delayed deletions, and the indexes by checksum
 * @param estimate reading the new indexes for the space estimate
 * @param verify verifying every suite (and fetching corrupt local files again)
 * @param publish trace file, rename, swap of {@code current}, hash cache saved
 * @param prune retiring snapshots beyond the K kept (a rename; their files are deleted in the
 *     background)
 * @param problems why the run did not publish, each naming its file or step
 */
public record SyncReport(
    SyncOutcome outcome,
    String upstream,
    Path snapshot,
    Map<String, SnapshotId> ids,
    int received,
    Map<String, Long> receivedPool,
    long estimatedBytes,
    int rehashed,
    List<String> repaired,
    Duration stage1,
    Duration stage2,
    Duration estimate,
    Duration verify,
    Duration publish,
    Duration prune,
    List<String> problems,
    List<VerificationReport> verifications) {

  public SyncReport {
    ids = Map.copyOf(ids);
    receivedPool = Map.copyOf(receivedPool);
    repaired = List.copyOf(repaired);
    problems = List.copyOf(problems);
    verifications = List.copyOf(verifications);
  }

  /** The time spent on top of rsync's own: estimate, verification, publication and pruning. */
  public Duration agentTime() {
    return estimate.plus(verify).plus(publish).plus(prune);
  }

  /** rsync's own time, both stages. */
  public Duration rsyncTime() {
    return stage1.plus(stage2);
  }
}
