package org.mirrordirector.sync.archive;

import java.io.IOException;

/**
 * An archive file that does not follow the Debian repository format. The message always names the
 * file (and the line, where one is known), so it can be shown to an administrator as it is.
 */
public final class ArchiveFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long line;

  public ArchiveFormatException(String file, long line, String problem) {
    super(line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem);
    this.file = file;
    this.line = line;
  }

  public ArchiveFormatException(String file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
    this.line = 0;
  }

  /** The archive-relative path or URL of the offending file. */
  public String file() {
    return file;
  }

  /** The 1-based line of the problem, or 0 when it is not about one line. */
  public long line() {
    return line;
  }
}
