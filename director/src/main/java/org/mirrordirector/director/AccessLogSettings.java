package org.mirrordirector.director;

/**
 * Where and how much: {@code target} is "stdout" or a file; {@code keepDays}: rotated files dated
 * more than this many days before today are deleted; {@code compress}: gzip the rotated files (at
 * zlib's fastest level, at nice 19: see {@link RotatedLogs}).
 */
public record AccessLogSettings(String target, long maxFileBytes, int keepDays, boolean compress) {
  /** Rotated files gzipped. */
  public AccessLogSettings(String target, long maxFileBytes, int keepDays) {
    this(target, maxFileBytes, keepDays, true);
  }

  public AccessLogSettings {
    if (target == null || target.isBlank()) {
      throw new IllegalArgumentException("access log: no target (stdout or a file)");
    }
    if (maxFileBytes < 1024 * 1024) {
      throw new IllegalArgumentException(
          "access log: files of at least 1 MiB, not " + maxFileBytes + " bytes");
    }
    if (keepDays < 1) {
      throw new IllegalArgumentException("access log: keep at least 1 day, not " + keepDays);
    }
  }

  public boolean stdout() {
    return target.equals("stdout");
  }
}
