package org.mirrordirector.sync;

/** How a run ended. */
public enum SyncOutcome {
  /** A new verified snapshot is current. */
  PUBLISHED,
  /**
   * The copy verified and is the current snapshot over again (same InRelease files): discarded, the
   * current snapshot stays; the re-hash progress is kept.
   */
  UNCHANGED,
  /** The upstream could not be copied; nothing changed. */
  FAILED,
  /** The copy did not verify; it was discarded and the current snapshot is untouched. */
  REJECTED,
  /** Not started: the new files would not fit beside the snapshots with the free space kept. */
  REFUSED,
  /** Another live process holds the lock. */
  LOCKED
}
