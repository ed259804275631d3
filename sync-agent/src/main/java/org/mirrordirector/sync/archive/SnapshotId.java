package org.mirrordirector.sync.archive;

import java.util.regex.Pattern;

/**
 * The identity of a suite's snapshot: the SHA-256 of its InRelease bytes. A mirror serving an
 * InRelease with this hash is at this snapshot; nothing else is needed to tell.
 */
public record SnapshotId(String sha256) {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  public SnapshotId {
    if (sha256 == null || !HEX64.matcher(sha256).matches()) {
      throw new IllegalArgumentException("a snapshot id is 64 lower-case hex digits: " + sha256);
    }
  }

  public static SnapshotId ofInRelease(byte[] inRelease) {
    return new SnapshotId(Sha256.hex(inRelease));
  }

  /** The first 12 digits, for logs and the status page. */
  public String shortForm() {
    return sha256.substring(0, 12);
  }

  @Override
  public String toString() {
    return sha256;
  }
}
