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
 * @param snapshot the published snapshot directory (PUBLISHED only)
 * @param ids the InRelease identity of each verified suite
 * @param received files rsync transferred (the rest were hard links to the previous snapshot)
 * @param problems why the run did not publish, each naming its file or step
 */
public record SyncReport(
    Outcome outcome,
    Path snapshot,
    Map<String, SnapshotId> ids,
    int received,
    Duration stage1,
    Duration stage2,
    Duration verify,
    Duration publish,
    List<String> problems,
    List<VerificationReport> verifications) {

  /** How a run ended. */
  public enum Outcome {
    /** A new verified snapshot is current. */
    PUBLISHED,
    /** The upstream could not be copied; nothing changed. */
    FAILED,
    /** The copy did not verify; it was discarded and the current snapshot is untouched. */
    REJECTED,
    /** Another live process holds the lock. */
    LOCKED
  }

  public SyncReport {
    ids = Map.copyOf(ids);
    problems = List.copyOf(problems);
    verifications = List.copyOf(verifications);
  }
}
