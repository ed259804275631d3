package org.mirrordirector.sync.archive.generate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The indexes beside Packages that Raspbian and Debian publish: {@code i18n/Translation-en} (which
 * apt fetches by default) and {@code Contents-ARCH} (which apt-file reads), from the binaries of a
 * generated archive.
 */
final class ExtraIndexes {
  private ExtraIndexes() {}

  /** Translation-en of one component: each package's description, keyed by its MD5. */
  static byte[] translation(List<GeneratedDeb> debs, String component) {
    Map<String, String> byName = new TreeMap<>();
    for (GeneratedDeb d : debs) {
      if (d.component().equals(component)) {
        byName.putIfAbsent(d.name(), d.stanza().getOrDefault("Description", d.name()));
      }
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : byName.entrySet()) {
      sb.append("Package: ")
          .append(e.getKey())
          .append("\nDescription-md5: ")
          .append(md5(e.getValue() + "\n"))
          .append("\nDescription-en: ")
          .append(e.getValue().replace("\n", "\n "))
          .append("\n\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Contents-ARCH of one component: every file the packages of that architecture (and of all)
   * install, with the section/package that holds it, as {@code DebWriter} lays them out.
   */
  static byte[] contents(List<GeneratedDeb> debs, String component, String arch) {
    Map<String, TreeSet<String>> files = new TreeMap<>();
    for (GeneratedDeb d : debs) {
      if (!d.component().equals(component) || !(d.arch().equals(arch) || d.arch().equals("all"))) {
        continue;
      }
      String section = d.stanza().getOrDefault("Section", "misc");
      String owner = section + "/" + d.name();
      for (String f :
          List.of(
              "usr/share/doc/" + d.name() + "/copyright",
              "usr/share/" + d.name() + "/payload.bin")) {
        files.computeIfAbsent(f, k -> new TreeSet<>()).add(owner);
      }
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, TreeSet<String>> e : files.entrySet()) {
      String name = e.getKey();
      sb.append(name);
      int pad = Math.max(1, 60 - name.length());
      sb.append(" ".repeat(pad)).append(String.join(",", e.getValue())).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String md5(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
