package org.mirrordirector.sync.archive;

/**
 * The rule for every path an archive names (Packages Filename, Sources Directory and file names,
 * Release entries): relative, no '.' or '..' segment, no empty segment, and only the characters
 * Debian's archive tools produce. A path that breaks it could escape the archive on a mirror or in
 * a redirect, so it is rejected, never cleaned up.
 */
public final class PoolPaths {
  private PoolPaths() {}

  /**
   * @param mustBeUnderPool true for Packages Filename and Sources Directory
   * @return null when the path is safe, else what is wrong with it
   */
  public static String problem(String path, boolean mustBeUnderPool) {
    if (path == null || path.isEmpty()) {
      return "empty path";
    }
    if (path.length() > 1024) {
      return "path longer than 1024 characters";
    }
    if (path.charAt(0) == '/') {
      return "absolute path";
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-'
              || c == '+'
              || c == '~'
              || c == '%'
              || c == '/'
              || c == ':'
              || c == '@'
              || c == '=';
      if (!ok) {
        return "unsafe character " + describe(c);
      }
    }
    for (String seg : path.split("/", -1)) {
      if (seg.isEmpty()) {
        return "empty path segment";
      }
      if (seg.equals("..") || seg.equals(".")) {
        return "'" + seg + "' segment";
      }
    }
    if (mustBeUnderPool && !path.startsWith("pool/")) {
      return "not under pool/";
    }
    return null;
  }

  private static String describe(char c) {
    return c < 32 || c >= 127 ? String.format("U+%04X", (int) c) : "'" + c + "'";
  }
}
