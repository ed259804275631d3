package org.mirrordirector.sync;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An rsync daemon source ({@code rsync://[user@]host[:port]/module/path} or {@code
 * [user@]host::module/path}), to be given to rsync as a URL with another host: the address of it
 * that answered (see {@link Rsync}).
 */
record RsyncSource(String user, String host, int port, String rest) {
  private static final Pattern URL =
      Pattern.compile(
          "rsync://(?:([^@/]+)@)?(\\[[0-9A-Fa-f:.]+\\]|[^:/\\[\\]@]+)(?::([0-9]{1,5}))?/(.*)");
  private static final Pattern DOUBLE_COLON =
      Pattern.compile("(?:([^@/:]+)@)?([^:/\\[\\]@]+|\\[[0-9A-Fa-f:.]+\\])::(.*)");

  /** The source an argument names, if it is a daemon source (a local path is none). */
  static Optional<RsyncSource> parse(String arg) {
    Matcher m = URL.matcher(arg);
    if (m.matches()) {
      int port = m.group(3) == null ? 873 : Integer.parseInt(m.group(3));
      return Optional.of(new RsyncSource(m.group(1), unbracket(m.group(2)), port, m.group(4)));
    }
    if (!arg.startsWith("-") && !arg.startsWith("/")) {
      Matcher d = DOUBLE_COLON.matcher(arg);
      if (d.matches()) {
        return Optional.of(new RsyncSource(d.group(1), unbracket(d.group(2)), 873, d.group(3)));
      }
    }
    return Optional.empty();
  }

  private static String unbracket(String h) {
    return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
  }

  /** As an rsync:// URL, with {@code host} (a name or an address literal). */
  String url(String withHost) {
    String h = withHost.indexOf(':') >= 0 ? "[" + withHost + "]" : withHost;
    return "rsync://" + (user == null ? "" : user + "@") + h + ":" + port + "/" + rest;
  }
}
