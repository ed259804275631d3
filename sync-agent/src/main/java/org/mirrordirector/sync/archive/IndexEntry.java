package org.mirrordirector.sync.archive;

/**
 * One line of a Release hash section: a file below {@code dists/<suite>/}, its size and its SHA-256
 * (the hash the whole project checks; MD5 and SHA-1 are never trusted).
 */
public record IndexEntry(String path, long size, String sha256) {
  public IndexEntry {
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + path);
    }
  }
}
