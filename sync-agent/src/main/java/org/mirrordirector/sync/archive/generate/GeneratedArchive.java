package org.mirrordirector.sync.archive.generate;

import java.nio.file.Path;
import java.time.Instant;
import org.mirrordirector.sync.archive.SnapshotId;

/** What was generated. */
public record GeneratedArchive(
    Path root,
    String suite,
    Instant date,
    SnapshotId snapshot,
    int packageNames,
    int poolFiles,
    long poolBytes,
    int upgraded,
    int added,
    int removed,
    SigningKey key) {}
