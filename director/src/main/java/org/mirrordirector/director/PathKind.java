package org.mirrordirector.director;

/** What kind of archive file a path names; it decides which mirrors may serve it. */
public enum PathKind {
  /** {@code dists/SUITE/InRelease}, {@code Release}, {@code Release.gpg}: names a snapshot. */
  RELEASE,
  /** Any other file under {@code dists/}: fetched from the mirror that served InRelease. */
  INDEX,
  /** {@code dists/.../by-hash/SHA256/HEX}: any mirror holding that hash will do. */
  BY_HASH,
  /** {@code pool/...}: any mirror whose snapshot holds the file. */
  POOL,
  /** Anything else under the root (trace files, keys, README). */
  OTHER
}
