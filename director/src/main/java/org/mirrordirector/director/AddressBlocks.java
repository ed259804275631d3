package org.mirrordirector.director;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of IPv4 and IPv6 addresses and CIDR prefixes ("ADDRESS" or "ADDRESS/BITS", literals only,
 * never a DNS lookup): the trusted proxies, and the networks a mirror serves best.
 */
final class AddressBlocks {
  private record Prefix(byte[] net, int bits) {}

  static final AddressBlocks NONE = new AddressBlocks(List.of());

  private final List<Prefix> prefixes;

  private AddressBlocks(List<Prefix> prefixes) {
    this.prefixes = List.copyOf(prefixes);
  }

  /**
   * @param what what the entries are, for the error message ("trusted proxy", "mirror m1 prefix")
   * @throws IllegalArgumentException naming the entry that is not an address or prefix
   */
  static AddressBlocks parse(List<String> entries, String what) {
    List<Prefix> out = new ArrayList<>();
    for (String e : entries) {
      String[] parts = e.trim().split("/", 2);
      byte[] net = literal(parts[0]);
      if (net == null) {
        throw new IllegalArgumentException(what + " '" + e + "' is not an IP address or prefix");
      }
      int bits = net.length * 8;
      if (parts.length == 2) {
        try {
          bits = Integer.parseInt(parts[1]);
        } catch (NumberFormatException x) {
          bits = -1;
        }
        if (bits < 0 || bits > net.length * 8) {
          throw new IllegalArgumentException(what + " '" + e + "' has an invalid prefix length");
        }
      }
      out.add(new Prefix(net, bits));
    }
    return new AddressBlocks(out);
  }

  boolean isEmpty() {
    return prefixes.isEmpty();
  }

  boolean contains(String address) {
    return !prefixes.isEmpty() && contains(literal(address));
  }

  boolean contains(byte[] a) {
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

  /**
   * The bytes of a literal IPv4 or IPv6 address, or null (never a DNS lookup). Besides the plain
   * forms, it takes the forms that peers and proxies write: an IPv6 address in brackets, with or
   * without a port ({@code [0:0:0:0:0:0:0:1]}, {@code [2001:db8::1]:443}, as Jetty gives the peer
   * and RFC 7239 writes it), and an IPv4 address with a port ({@code 192.0.2.1:5678}).
   */
  static byte[] literal(String s) {
    if (s == null || s.isEmpty() || s.length() > 53) {
      return null;
    }
    if (s.charAt(0) == '[') {
      int close = s.indexOf(']');
      if (close < 0 || !(close == s.length() - 1 || portFollows(s, close + 1))) {
        return null;
      }
      s = s.substring(1, close);
      return s.indexOf(':') < 0 ? null : literal(s);
    }
    int colon = s.indexOf(':');
    if (colon > 0 && colon == s.lastIndexOf(':') && portFollows(s, colon)) {
      s = s.substring(0, colon); // IPv4:port (one colon: never IPv6)
      return ipv4(s);
    }
    if (s.length() > 45) {
      return null;
    }
    byte[] v4 = ipv4(s);
    if (v4 != null) {
      return v4;
    }
    if (s.indexOf(':') < 0) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= '0' && c <= '9')
              || (c >= 'a' && c <= 'f')
              || (c >= 'A' && c <= 'F')
              || c == ':'
              || c == '.';
      if (!ok) {
        return null;
      }
    }
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** ":PORT" at {@code at}: a colon and 1 to 5 digits, to the end. */
  private static boolean portFollows(String s, int at) {
    int digits = s.length() - at - 1;
    if (s.charAt(at) != ':' || digits < 1 || digits > 5) {
      return false;
    }
    for (int i = at + 1; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** The usual text of an address (see {@link org.mirrordirector.failover.net.Addresses#text}). */
  static String text(byte[] a) {
    return org.mirrordirector.failover.net.Addresses.text(a);
  }

  /** The text of a literal address in its usual form (see {@link #text}), or null. */
  static String canonical(String s) {
    byte[] a = literal(s);
    return a == null ? null : text(a);
  }

  /** Four decimal octets of 1 to 3 digits, each at most 255; else null. */
  private static byte[] ipv4(String s) {
    byte[] b = new byte[4];
    int octet = 0;
    int value = 0;
    int digits = 0;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c >= '0' && c <= '9') {
        value = value * 10 + (c - '0');
        if (++digits > 3) {
          return null;
        }
      } else if (c == '.') {
        if (digits == 0 || value > 255 || octet > 3) {
          return null;
        }
        b[octet++] = (byte) value;
        value = 0;
        digits = 0;
      } else {
        return null;
      }
    }
    return octet == 4 ? b : null;
  }
}
