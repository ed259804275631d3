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

  /** The bytes of a literal IPv4 or IPv6 address, or null (never a DNS lookup). */
  static byte[] literal(String s) {
    if (s == null || s.isEmpty() || s.length() > 45) {
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
