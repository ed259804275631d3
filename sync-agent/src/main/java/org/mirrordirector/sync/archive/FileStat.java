package org.mirrordirector.sync.archive;

/**
 * What a file is: its size, whether it is a regular file, an identity for hard links (null when
 * unknown) and its modification time in nanoseconds since the epoch (-1 when unknown).
 */
public record FileStat(long size, boolean regular, Object fileKey, long modifiedNanos) {
  public FileStat(long size, boolean regular, Object fileKey) {
    this(size, regular, fileKey, -1);
  }
}
