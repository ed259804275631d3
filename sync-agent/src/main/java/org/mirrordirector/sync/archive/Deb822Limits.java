package org.mirrordirector.sync.archive;

/** Bounds on what one line and one paragraph may hold. Real archives stay far below both. */
public record Deb822Limits(int maxLineBytes, int maxParagraphBytes, int maxFields) {
  /** A longest real Packages line is a few KB and a longest Sources stanza under 1 MB. */
  public static final Deb822Limits DEFAULT = new Deb822Limits(1 << 20, 8 << 20, 512);

  public Deb822Limits {
    if (maxLineBytes < 80 || maxParagraphBytes < maxLineBytes || maxFields < 1) {
      throw new IllegalArgumentException(
          "limits must allow a line of 80 bytes, a paragraph at least one line long and one"
              + " field: "
              + maxLineBytes
              + "/"
              + maxParagraphBytes
              + "/"
              + maxFields);
    }
  }
}
