package org.mirrordirector.director;

import java.util.List;

/**
 * The path classification as first written (split into segments, a builder for the decoded path):
 * plain to read, slower. {@link RequestPathTest} checks that {@link RequestPath#classify} gives
 * exactly its answers, refusals and their messages included.
 */
final class ReferenceRequestPath {
  private ReferenceRequestPath() {}

  static final int MAX_LENGTH = RequestPath.MAX_LENGTH;

  private static RejectedPath rejected(int status, String message) {
    return RequestPath.rejected(status, message);
  }

  static RequestPath classify(String rawPath, List<String> roots) throws RejectedPath {
    if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      throw rejected(400, "the path must start with '/'");
    }
    if (rawPath.length() > MAX_LENGTH) {
      throw rejected(400, "the path is longer than " + MAX_LENGTH + " characters");
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
      throw rejected(404, "not under an archive root " + roots);
    }
    String rel = decoded.substring(root.length());
    if (rel.isEmpty()) {
      throw rejected(404, "the archive root itself is not a file");
    }
    String[] segments = rel.split("/", -1);
    for (String s : segments) {
      if (s.isEmpty()) {
        throw rejected(400, "the path has an empty segment");
      }
      if (s.equals(".") || s.equals("..")) {
        throw rejected(400, "the path has a '" + s + "' segment");
      }
      if (!safe(s)) {
        throw rejected(400, "the path has a character no archive file name has");
      }
    }
    return classified(root, rel, segments);
  }

  private static RequestPath classified(String root, String rel, String[] seg) {
    if (seg[0].equals("pool") && seg.length >= 2) {
      return new RequestPath(root, rel, PathKind.POOL, null, null);
    }
    if (seg[0].equals("dists") && seg.length >= 3 && suiteName(seg[1])) {
      String suite = seg[1];
      String file = seg[seg.length - 1];
      if (seg.length == 3
          && (file.equals("InRelease") || file.equals("Release") || file.equals("Release.gpg"))) {
        return new RequestPath(root, rel, PathKind.RELEASE, suite, null);
      }
      if (seg.length >= 5
          && seg[seg.length - 3].equals("by-hash")
          && seg[seg.length - 2].equals("SHA256")
          && hex64(file)) {
        return new RequestPath(root, rel, PathKind.BY_HASH, suite, file);
      }
      return new RequestPath(root, rel, PathKind.INDEX, suite, null);
    }
    return new RequestPath(root, rel, PathKind.OTHER, null, null);
  }

  /**
   * Decodes percent escapes once, strictly. An escape that decodes to a separator, a dot, a control
   * character or a backslash is refused: apt never sends one, and an attacker's traversal always
   * does. A decoded '%' (apt's own encoding of file names such as {@code 1%3a2.0}) stays.
   */
  static String decode(String raw) throws RejectedPath {
    StringBuilder out = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw rejected(400, "the path has a control character");
      }
      if (c == '\\') {
        throw rejected(400, "the path has a backslash");
      }
      if (c == '?' || c == '#') {
        throw rejected(400, "the path has a query or fragment delimiter");
      }
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
        throw rejected(400, "the path has an invalid percent escape");
      }
      int b = hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2));
      if (b < 0x20 || b >= 0x7f) {
        throw rejected(400, "the path has an encoded control or non-ASCII character");
      }
      if (b == '/' || b == '.' || b == '\\') {
        throw rejected(400, "the path has an encoded '" + (char) b + "'");
      }
      out.append((char) b);
      i += 2;
    }
    return out.toString();
  }

  /** The characters of Debian file names: letters, digits and {@code . _ + ~ : % @ = , -}. */
  private static boolean safe(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "._+~:%@=,-".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A suite or codename: a letter or digit, then letters, digits and {@code . _ + -}. */
  private static boolean suiteName(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || "._+-".indexOf(c) < 0)) {
        return false;
      }
    }
    return !s.isEmpty();
  }

  /** 64 lower-case hex digits: a SHA-256 as by-hash names it. */
  private static boolean hex64(String s) {
    if (s.length() != 64) {
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
}
