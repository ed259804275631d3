package org.mirrordirector.failover.net;

/** Addresses as text, one spelling per address, for every module. */
public final class Addresses {
  private Addresses() {}

  /**
   * The usual text of an address: dotted IPv4, or IPv6 in the RFC 5952 form (lower case, the
   * longest run of two or more zero groups as "::", no brackets), so one address has one spelling
   * in logs, metrics and caches whatever form it arrived in.
   */
  public static String text(byte[] a) {
    if (a.length == 4) {
      return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = (a[2 * i] & 0xff) << 8 | (a[2 * i + 1] & 0xff);
    }
    int bestAt = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestAt = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder b = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestAt) {
        b.append("::");
        i += bestLen - 1;
        continue;
      }
      if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      b.append(Integer.toHexString(g[i]));
    }
    return b.toString();
  }

  /** The usual text of an address (see {@link #text(byte[])}). */
  public static String text(java.net.InetAddress a) {
    return text(a.getAddress());
  }

  /** An address and port as in a URL: {@code 192.0.2.1:80}, {@code [2001:db8::1]:80}. */
  public static String text(java.net.InetSocketAddress a) {
    String h = text(a.getAddress());
    return (a.getAddress() instanceof java.net.Inet4Address ? h : "[" + h + "]")
        + ":"
        + a.getPort();
  }
}
