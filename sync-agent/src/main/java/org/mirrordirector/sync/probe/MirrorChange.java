package org.mirrordirector.sync.probe;

/** What a cheap look at a mirror's InRelease files found ({@link MirrorProber#recheck}). */
public enum MirrorChange {
  /** Every InRelease is the one last read (304, or the same bytes). */
  SAME,
  /** An InRelease changed, vanished or was never read: the mirror needs a full probe. */
  CHANGED,
  /** It did not answer (refused, timed out, 5xx). */
  UNREACHABLE
}
