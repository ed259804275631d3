package org.mirrordirector.director;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxies whose {@code X-Forwarded-For} and {@code X-Forwarded-Proto} headers are believed:
 * addresses and CIDR prefixes, IPv4 and IPv6. From anyone else the headers are ignored, so a client
 * cannot choose its own location or scheme.
 */
public final class TrustedProxies {
  private record Prefix(byte[] net, int bits) {}

  private final List<Prefix> prefixes;

  private TrustedProxies(List<Prefix> prefixes) {
    this.prefixes = List.copyOf(prefixes);
  }

  public static TrustedProxies none() {
    return new TrustedProxies(List.of());
  }

  /**
   * Parses "ADDRESS" or "ADDRESS/BITS" entries, literal addresses only (no host names).
   *
   * @throws IllegalArgumentException naming the entry that is not one
   */
  public static TrustedProxies parse(List<String> entries) {
    List<Prefix> out = new ArrayList<>();
    for (String e : entries) {
      String[] parts = e.trim().split("/", 2);
      byte[] net = literal(parts[0]);
      if (net == null) {
        throw new IllegalArgumentException(
            "trusted proxy '" + e + "' is not an IP address or prefix");
      }
      int bits = net.length * 8;
      if (parts.length == 2) {
        try {
          bits = Integer.parseInt(parts[1]);
        } catch (NumberFormatException x) {
          bits = -1;
        }
        if (bits < 0 || bits > net.length * 8) {
          throw new IllegalArgumentException(
              "trusted proxy '" + e + "' has an invalid prefix length");
        }
      }
      out.add(new Prefix(net, bits));
    }
    return new TrustedProxies(out);
  }

  public boolean contains(String address) {
    byte[] a = literal(address);
    if (a == null) {
      return false;
    }
    for (Prefix p : prefixes) {
      if (p.net().length == a.length && matches(p.net(), a, p.bits())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client's address: the peer's own unless the peer is a trusted proxy, in which case the
   * right-most {@code X-Forwarded-For} entry that is not a trusted proxy (entries further left were
   * written by the client and prove nothing).
   */
  public String client(String peer, String forwardedFor) {
    if (forwardedFor == null || !contains(peer)) {
      return peer;
    }
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String h = hops[i].trim();
      if (literal(h) == null) {
        return peer; // garbage from a proxy we trust: believe only the proxy itself
      }
      if (!contains(h)) {
        return h;
      }
    }
    return hops[0].trim();
  }

  private static boolean matches(byte[] net, byte[] a, int bits) {
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (net[i] != a[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (net[full] & mask) == (a[full] & mask);
  }

  /** The bytes of a literal IPv4 or IPv6 address, or null (never a DNS lookup). */
  static byte[] literal(String s) {
    if (s == null || s.isEmpty() || s.length() > 45) {
      return null;
    }
    boolean v4 = s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    boolean v6 = s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return null;
    }
    if (v4) {
      byte[] b = new byte[4];
      String[] o = s.split("\\.");
      for (int i = 0; i < 4; i++) {
        int n = Integer.parseInt(o[i]);
        if (n > 255) {
          return null;
        }
        b[i] = (byte) n;
      }
      return b;
    }
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
