package org.mirrordirector.sync.archive;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Indexes apt does not need to install packages, which a partial mirror may leave out. */
public enum ExtraIndex {
  /** Contents-ARCH, Contents-udeb-ARCH and Contents-source. */
  CONTENTS,
  /** installer-ARCH/ trees and debian-installer/binary-ARCH/ (udeb) indexes. */
  INSTALLER,
  /** dep11/: AppStream Components-ARCH.yml and icons. */
  DEP11,
  /** INDEX.diff/: the patches apt applies to update an index it has (pdiffs). */
  PDIFFS;

  /** Parses a comma-separated list ("contents,dep11", "none" or "all"). */
  public static Set<ExtraIndex> parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("all")) {
      return EnumSet.allOf(ExtraIndex.class);
    }
    Set<ExtraIndex> out = EnumSet.noneOf(ExtraIndex.class);
    if (t.equals("none") || t.isEmpty()) {
      return out;
    }
    for (String s : t.split(",")) {
      try {
        out.add(valueOf(s.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown extra '"
                + s.trim()
                + "' (known: contents, installer, dep11, pdiffs, all, none)");
      }
    }
    return out;
  }
}
