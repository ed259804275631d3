package org.mirrordirector.director;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * One suite's snapshot: its files and when it expires.
 *
 * @param local true for a snapshot of this node's verified trees, whose files it can serve
 */
public record SnapshotFiles(
    String suite,
    String inRelease,
    Instant date,
    Optional<Instant> validUntil,
    Set<String> pool,
    Set<String> byHash,
    boolean local) {}
