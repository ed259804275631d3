package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Streaming parsers of Packages and Sources. Each stanza is checked and handed on one at a time; a
 * stanza that breaks the rules goes to the problem sink, a file that is not deb822 at all ends the
 * parse with an {@link ArchiveFormatException}.
 */
public final class IndexParsers {
  private static final Set<String> PACKAGES_FIELDS =
      Set.of("package", "version", "architecture", "filename", "size", "sha256");
  private static final Set<String> SOURCES_FIELDS =
      Set.of("package", "version", "directory", "checksums-sha256");
  private static final Pattern PACKAGE_NAME = Pattern.compile("[a-z0-9][a-z0-9.+-]+");
  private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z.+~:-]+");
  private static final Pattern ARCH = Pattern.compile("[a-z0-9][a-z0-9-]*");

  private IndexParsers() {}

  /**
   * Parses a decompressed Packages stream.
   *
   * @return the number of stanzas read, good or bad
   */
  public static long packages(
      InputStream in, String source, Consumer<BinaryPackage> out, Consumer<StanzaProblem> problems)
      throws IOException {
    Deb822Reader r = new Deb822Reader(in, source, Deb822Limits.DEFAULT, PACKAGES_FIELDS);
    long n = 0;
    Paragraph p;
    while ((p = r.next()) != null) {
      n++;
      List<String> missing = missing(p, "Package", "Version", "Architecture", "Filename", "Size");
      if (p.get("SHA256") == null) {
        missing.add("SHA256");
      }
      if (!missing.isEmpty()) {
        problems.accept(problem(p, "stanza lacks " + String.join(", ", missing)));
        continue;
      }
      String name = p.get("Package");
      String bad = checkNameVersion(name, p.get("Version"));
      if (bad == null && !ARCH.matcher(p.get("Architecture")).matches()) {
        bad = "invalid Architecture '" + p.get("Architecture") + "'";
      }
      String filename = p.get("Filename");
      if (bad == null) {
        String why = PoolPaths.problem(filename, true);
        if (why != null) {
          bad = "unsafe Filename '" + printable(filename) + "': " + why;
        }
      }
      long size = bad == null ? size(p.get("Size")) : -1;
      if (bad == null && size < 0) {
        bad = "invalid Size '" + printable(p.get("Size")) + "'";
      }
      String sha = p.get("SHA256");
      if (bad == null && !isSha256(sha)) {
        bad = "invalid SHA256 '" + printable(sha) + "'";
      }
      if (bad != null) {
        problems.accept(problem(p, name + ": " + bad));
        continue;
      }
      out.accept(
          new BinaryPackage(name, p.get("Version"), p.get("Architecture"), filename, size, sha));
    }
    return n;
  }

  /**
   * Parses a decompressed Sources stream; each source's files come from Checksums-Sha256 and sit
   * under its Directory.
   */
  public static long sources(
      InputStream in, String source, Consumer<SourcePackage> out, Consumer<StanzaProblem> problems)
      throws IOException {
    Deb822Reader r = new Deb822Reader(in, source, Deb822Limits.DEFAULT, SOURCES_FIELDS);
    long n = 0;
    Paragraph p;
    stanzas:
    while ((p = r.next()) != null) {
      n++;
      List<String> missing = missing(p, "Package", "Version", "Directory", "Checksums-Sha256");
      if (!missing.isEmpty()) {
        problems.accept(problem(p, "stanza lacks " + String.join(", ", missing)));
        continue;
      }
      String name = p.get("Package");
      String bad = checkNameVersion(name, p.get("Version"));
      String dir = p.get("Directory");
      if (bad == null) {
        String why = PoolPaths.problem(dir, true);
        if (why != null) {
          bad = "unsafe Directory '" + printable(dir) + "': " + why;
        }
      }
      if (bad != null) {
        problems.accept(problem(p, name + ": " + bad));
        continue;
      }
      List<PoolFile> files = new ArrayList<>();
      for (String line : p.get("Checksums-Sha256").split("\n")) {
        String l = line.trim();
        if (l.isEmpty()) {
          continue;
        }
        String[] parts = l.split("\\s+");
        long size = parts.length == 3 ? size(parts[1]) : -1;
        String why = parts.length == 3 ? PoolPaths.problem(parts[2], false) : "not three fields";
        if (why == null && parts[2].contains("/")) {
          why = "file name has a '/'";
        }
        if (parts.length != 3 || !isSha256(parts[0]) || size < 0 || why != null) {
          problems.accept(
              problem(
                  p,
                  name
                      + ": malformed Checksums-Sha256 line '"
                      + printable(l)
                      + "'"
                      + (why != null ? ": " + why : "")));
          continue stanzas;
        }
        files.add(new PoolFile(dir + "/" + parts[2], size, parts[0]));
      }
      if (files.isEmpty()) {
        problems.accept(problem(p, name + ": Checksums-Sha256 lists no file"));
        continue;
      }
      out.accept(new SourcePackage(name, p.get("Version"), dir, files));
    }
    return n;
  }

  private static String checkNameVersion(String name, String version) {
    if (!PACKAGE_NAME.matcher(name).matches()) {
      return "invalid package name '" + printable(name) + "'";
    }
    if (!VERSION.matcher(version).matches() || !Character.isDigit(upstreamStart(version))) {
      return "invalid Version '" + printable(version) + "'";
    }
    return null;
  }

  /** The first character of the version after any epoch; Debian policy wants a digit there. */
  private static char upstreamStart(String version) {
    int colon = version.indexOf(':');
    String rest = colon >= 0 ? version.substring(colon + 1) : version;
    return rest.isEmpty() ? 'x' : rest.charAt(0);
  }

  private static List<String> missing(Paragraph p, String... fields) {
    List<String> out = new ArrayList<>();
    for (String f : fields) {
      String v = p.get(f);
      if (v == null || v.isEmpty()) {
        out.add(f);
      }
    }
    return out;
  }

  private static StanzaProblem problem(Paragraph p, String message) {
    return new StanzaProblem(p.source(), p.line(), message);
  }

  static long size(String s) {
    if (s == null || s.isEmpty() || s.length() > 18) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  static boolean isSha256(String s) {
    if (s == null || s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static String printable(String s) {
    String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }
}
