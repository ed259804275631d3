package org.mirrordirector.sync.archive;

import java.util.Optional;

/**
 * What the verifier may remember of pool files it hashed before, so that a sync hashes only what is
 * new to it. A file is recalled only when it is exactly the file that was hashed: the same identity
 * (device and inode: hard links share it across snapshots), size and modification time. An
 * implementation also decides which remembered files are due to be hashed again (a rolling re-hash
 * that finds bit rot).
 */
public interface HashMemory {

  /**
   * The SHA-256 remembered for this very file, or empty when it is unknown, changed, or due for a
   * re-hash.
   */
  Optional<String> recall(FileStat stat);

  /** Records the SHA-256 just computed for this file. Safe to call from several threads. */
  void remember(String path, FileStat stat, String sha256);
}
