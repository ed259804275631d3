package org.mirrordirector.director;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * What a client asked for: the archive root and the normalised path inside it, classified. Only a
 * path that passes every check here is ever joined to a mirror's base URL, and it is re-encoded
 * ({@link #encoded()}) when it is: a Location header is built from a configured base and this,
 * never from the raw request.
 *
 * <p>Rejected (400): paths over {@value #MAX_LENGTH} characters, invalid or double percent escapes
 * of separators, control characters (raw or encoded: CR and LF never reach a header), backslashes,
 * {@code .} and {@code ..} segments (raw or encoded), empty segments, and characters outside those
 * Debian file names use.
 */
public record RequestPath(String root, String path, PathKind kind, String suite, String byHash) {

  /** The longest raw path accepted. Debian's longest pool paths are under 300 characters. */
  public static final int MAX_LENGTH = 1024;

  public RequestPath {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(kind, "kind");
  }

  /**
   * Classifies a raw request path (as sent, still percent-encoded) against the configured archive
   * roots (such as {@code /raspbian/}).
   *
   * @throws RejectedPath 400 for a malformed or unsafe path, 404 for one under no root
   */
  public static RequestPath classify(String rawPath, List<String> roots) throws RejectedPath {
    if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      throw new RejectedPath(400, "the path must start with '/'");
    }
    if (rawPath.length() > MAX_LENGTH) {
      throw new RejectedPath(400, "the path is longer than " + MAX_LENGTH + " characters");
    }
    String decoded = decode(rawPath);
    String root = null;
    for (String r : roots) {
      if (decoded.startsWith(r)) {
        root = r;
        break;
      }
    }
    if (root == null) {
      throw new RejectedPath(404, "not under an archive root " + roots);
    }
    String rel = decoded.substring(root.length());
    if (rel.isEmpty()) {
      throw new RejectedPath(404, "the archive root itself is not a file");
    }
    // The segments are checked in place, one after the other (no array, no substrings): each
    // must be non-empty, not "." or "..", and made of file name characters.
    int n = rel.length();
    int segments = 0;
    int secondEnd = -1; // where the second segment ends (the suite, under dists/)
    int lastStart = 0;
    for (int start = 0; start <= n; ) {
      int end = rel.indexOf('/', start);
      if (end < 0) {
        end = n;
      }
      int len = end - start;
      if (len == 0) {
        throw new RejectedPath(400, "the path has an empty segment");
      }
      if (rel.charAt(start) == '.' && (len == 1 || (len == 2 && rel.charAt(start + 1) == '.'))) {
        throw new RejectedPath(400, "the path has a '" + rel.substring(start, end) + "' segment");
      }
      for (int i = start; i < end; i++) {
        char c = rel.charAt(i);
        if (c >= 128 || !FILE_NAME[c]) {
          throw new RejectedPath(400, "the path has a character no archive file name has");
        }
      }
      if (++segments == 2) {
        secondEnd = end;
      }
      lastStart = start;
      start = end + 1;
    }
    return classified(root, rel, segments, secondEnd, lastStart);
  }

  private static RequestPath classified(
      String root, String rel, int segments, int secondEnd, int lastStart) {
    if (segments >= 2 && rel.startsWith("pool/")) {
      return new RequestPath(root, rel, PathKind.POOL, null, null);
    }
    if (segments >= 3 && rel.startsWith("dists/") && suiteName(rel, 6, secondEnd)) {
      String suite = rel.substring(6, secondEnd);
      if (segments == 3
          && (endsWithSegment(rel, lastStart, "InRelease")
              || endsWithSegment(rel, lastStart, "Release")
              || endsWithSegment(rel, lastStart, "Release.gpg"))) {
        return new RequestPath(root, rel, PathKind.RELEASE, suite, null);
      }
      // .../by-hash/SHA256/HEX: the two segments before the last, whole
      if (segments >= 5
          && rel.length() - lastStart == 64
          && rel.startsWith(BY_HASH, lastStart - BY_HASH.length())
          && rel.charAt(lastStart - BY_HASH.length() - 1) == '/'
          && hex64(rel, lastStart)) {
        return new RequestPath(root, rel, PathKind.BY_HASH, suite, rel.substring(lastStart));
      }
      return new RequestPath(root, rel, PathKind.INDEX, suite, null);
    }
    return new RequestPath(root, rel, PathKind.OTHER, null, null);
  }

  private static final String BY_HASH = "by-hash/SHA256/";

  /** Whether the last segment, from {@code lastStart}, is exactly {@code name}. */
  private static boolean endsWithSegment(String rel, int lastStart, String name) {
    return rel.length() - lastStart == name.length() && rel.startsWith(name, lastStart);
  }

  /** The characters of Debian file names: letters, digits and {@code . _ + ~ : % @ = , -}. */
  private static final boolean[] FILE_NAME = asciiSet("._+~:%@=,-");

  /** Unreserved in a URL, and {@code / : @ + = ,}: what {@link #encoded} leaves as it is. */
  private static final boolean[] URL_KEEP = asciiSet("-._~/:@+=,");

  /** Letters, digits and {@code others}, as a table indexed by an ASCII character. */
  private static boolean[] asciiSet(String others) {
    boolean[] t = new boolean[128];
    for (int c = 0; c < 128; c++) {
      t[c] =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || others.indexOf(c) >= 0;
    }
    return t;
  }

  /**
   * Decodes percent escapes once, strictly. An escape that decodes to a separator, a dot, a control
   * character or a backslash is refused: apt never sends one, and an attacker's traversal always
   * does. A decoded '%' (apt's own encoding of file names such as {@code 1%3a2.0}) stays. A path
   * without escapes (nearly every one) is checked and returned as it is, not copied.
   */
  static String decode(String raw) throws RejectedPath {
    int n = raw.length();
    int firstEscape = -1;
    for (int i = 0; i < n; i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        firstEscape = i;
        break;
      }
      refuseRaw(c);
    }
    if (firstEscape < 0) {
      return raw;
    }
    StringBuilder out = new StringBuilder(n);
    out.append(raw, 0, firstEscape);
    for (int i = firstEscape; i < n; i++) {
      char c = raw.charAt(i);
      refuseRaw(c);
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (i + 2 >= n || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
        throw new RejectedPath(400, "the path has an invalid percent escape");
      }
      int b = hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2));
      if (b < 0x20 || b >= 0x7f) {
        throw new RejectedPath(400, "the path has an encoded control or non-ASCII character");
      }
      if (b == '/' || b == '.' || b == '\\') {
        throw new RejectedPath(400, "the path has an encoded '" + (char) b + "'");
      }
      out.append((char) b);
      i += 2;
    }
    return out.toString();
  }

  private static void refuseRaw(char c) throws RejectedPath {
    if (c < 0x20 || c == 0x7f) {
      throw new RejectedPath(400, "the path has a control character");
    }
    if (c == '\\') {
      throw new RejectedPath(400, "the path has a backslash");
    }
    if (c == '?' || c == '#') {
      throw new RejectedPath(400, "the path has a query or fragment delimiter");
    }
  }

  /** A suite or codename: a letter or digit, then letters, digits and {@code . _ + -}. */
  private static boolean suiteName(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == from || "._+-".indexOf(c) < 0)) {
        return false;
      }
    }
    return to > from;
  }

  /**
   * 64 lower-case hex digits from {@code from} (the string's end): a SHA-256 as by-hash names it.
   */
  private static boolean hex64(String s, int from) {
    if (s.length() - from != 64) {
      return false;
    }
    for (int i = from; i < from + 64; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** For {@link ReferenceRequestPath}, the test's reference classification. */
  static RejectedPath rejected(int status, String message) {
    return new RejectedPath(status, message);
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /**
   * The architecture whose files this path names, for partial mirrors: "armhf" for {@code
   * pool/.../x_1.0_armhf.deb} and {@code dists/.../binary-armhf/...}, "source" for source packages
   * ({@code .dsc}, {@code .orig.tar.xz}, {@code .debian.tar.xz}, {@code .diff.gz}) and {@code
   * source/} indexes, "all" for architecture-independent packages; null for a file that belongs to
   * no one architecture (InRelease, Translation-en, trace files).
   */
  public String architecture() {
    String[] seg = path.split("/");
    String file = seg[seg.length - 1];
    if (kind == PathKind.POOL) {
      for (String ext : new String[] {".deb", ".udeb", ".ddeb", ".buildinfo", ".changes"}) {
        if (file.endsWith(ext)) {
          String stem = file.substring(0, file.length() - ext.length());
          int u = stem.lastIndexOf('_');
          return u < 0 ? null : stem.substring(u + 1);
        }
      }
      if (file.endsWith(".dsc")
          || file.contains(".tar.")
          || file.endsWith(".tar")
          || file.endsWith(".diff.gz")
          || file.endsWith(".asc")) {
        return "source";
      }
      return null;
    }
    if (kind == PathKind.INDEX || kind == PathKind.BY_HASH) {
      for (int i = 2; i < seg.length - 1; i++) {
        if (seg[i].startsWith("binary-")) {
          return seg[i].substring("binary-".length());
        }
        if (seg[i].equals("source")) {
          return "source";
        }
        if (seg[i].startsWith("installer-")) {
          return seg[i].substring("installer-".length());
        }
      }
      String name = file;
      int dot = name.indexOf('.');
      if (dot > 0) {
        name = name.substring(0, dot);
      }
      if (name.startsWith("Contents-udeb-")) {
        return name.substring("Contents-udeb-".length());
      }
      if (name.startsWith("Contents-") || name.startsWith("Components-")) {
        return name.substring(name.indexOf('-') + 1);
      }
    }
    return null;
  }

  /**
   * The path inside the root, percent-encoded for a URL: only unreserved characters and {@code /
   * : @ + ~ = ,} stay as they are; anything else (a '%' from a file name included) is escaped.
   */
  public String encoded() {
    boolean plain = true;
    for (int i = 0; i < path.length() && plain; i++) {
      plain = keep(path.charAt(i));
    }
    if (plain) {
      return path; // the common case: nothing to escape, nothing to copy
    }
    StringBuilder sb = new StringBuilder(path.length() + 8);
    for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (keep(c)) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        sb.append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  private static boolean keep(int c) {
    return c < 128 && URL_KEEP[c];
  }
}
