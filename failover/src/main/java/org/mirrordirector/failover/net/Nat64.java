package org.mirrordirector.failover.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A NAT64 prefix (RFC 6052): IPv6 addresses inside it stand for IPv4 addresses, reached through a
 * NAT64 gateway. A connection to such an address is an IPv4 path, so it is evidence about a
 * mirror's IPv4 service, never about its IPv6. The prefix lengths RFC 6052 allows are 32, 40, 48,
 * 56, 64 and 96 bits; the IPv4 address is embedded after the prefix, skipping bits 64 to 71.
 */
public final class Nat64 {
  /** The well-known prefix 64:ff9b::/96 (RFC 6052): never a native IPv6 address. */
  public static final Nat64 WELL_KNOWN = parse("64:ff9b::/96");

  /** The name whose synthesized answers reveal a network's prefix (RFC 7050). */
  public static final String DISCOVERY_NAME = "ipv4only.arpa";

  private static final byte[][] DISCOVERY_V4 = {
    {(byte) 192, 0, 0, (byte) 170}, {(byte) 192, 0, 0, (byte) 171}
  };

  private final byte[] prefix;
  private final int length;

  private Nat64(byte[] prefix, int length) {
    if (!(length == 32
        || length == 40
        || length == 48
        || length == 56
        || length == 64
        || length == 96)) {
      throw new IllegalArgumentException(
          "NAT64 prefix length must be 32, 40, 48, 56, 64 or 96 (RFC 6052), not " + length);
    }
    this.prefix = Arrays.copyOf(prefix, 16);
    Arrays.fill(this.prefix, length / 8, 16, (byte) 0);
    this.length = length;
  }

  /** A prefix in the usual form, {@code 2001:db8:ff9b::/96}; the message names what is wrong. */
  public static Nat64 parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "NAT64 prefix '" + text + "' is not ADDRESS/LENGTH, e.g. 64:ff9b::/96");
    }
    String addr = text.substring(0, slash).trim();
    int length;
    try {
      length = Integer.parseInt(text.substring(slash + 1).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("NAT64 prefix '" + text + "': length is not a number");
    }
    if (addr.indexOf(':') < 0 || !addr.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException("NAT64 prefix '" + text + "' is not an IPv6 prefix");
    }
    try {
      InetAddress a = InetAddress.getByName(addr);
      if (!(a instanceof Inet6Address)) {
        throw new IllegalArgumentException("an IPv4-mapped address is no NAT64 prefix");
      }
      return new Nat64(a.getAddress(), length);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("NAT64 prefix '" + text + "' is not an IPv6 prefix");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("NAT64 prefix '" + text + "': " + e.getMessage());
    }
  }

  /**
   * The prefix a network's DNS64 synthesizes with, found as RFC 7050 says: the IPv6 answers for
   * {@code ipv4only.arpa} embed 192.0.0.170 or 192.0.0.171. Empty when the name has no such answer
   * (no DNS64, or a network with IPv4 of its own).
   */
  public static Optional<Nat64> discover(Resolver resolver) {
    InetAddress[] answers;
    try {
      answers = resolver.resolve(DISCOVERY_NAME);
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
    for (InetAddress a : answers) {
      if (!(a instanceof Inet6Address)) {
        continue;
      }
      byte[] b = a.getAddress();
      for (int length : new int[] {96, 64, 56, 48, 40, 32}) {
        byte[] v4 = extract(b, length);
        for (byte[] known : DISCOVERY_V4) {
          if (Arrays.equals(v4, known)) {
            return Optional.of(new Nat64(b, length));
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The prefix a node's setting names: {@code auto} (discovered, see {@link #discover}; empty when
   * none is found), {@code none}, or a prefix ({@link #parse}).
   */
  public static Optional<Nat64> setting(String value, Resolver resolver) {
    return switch (value.trim()) {
      case "auto" -> discover(resolver);
      case "none" -> Optional.empty();
      default -> Optional.of(parse(value.trim()));
    };
  }

  /** Whether {@code a} is an IPv6 address inside this prefix. */
  public boolean contains(InetAddress a) {
    if (!(a instanceof Inet6Address)) {
      return false;
    }
    byte[] b = a.getAddress();
    for (int i = 0; i < length / 8; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** The IPv4 address an address inside this prefix stands for. */
  public Inet4Address embedded(InetAddress a) {
    if (!contains(a)) {
      throw new IllegalArgumentException(Addresses.text(a) + " is not inside " + this);
    }
    try {
      return (Inet4Address) InetAddress.getByAddress(extract(a.getAddress(), length));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The IPv6 address through which this NAT64 reaches {@code v4}. */
  public Inet6Address synthesize(Inet4Address v4) {
    byte[] out = prefix.clone();
    byte[] v = v4.getAddress();
    int at = length / 8;
    for (byte x : v) {
      if (at == 8) {
        at++; // bits 64 to 71 stay zero (RFC 6052, section 2.2)
      }
      out[at++] = x;
    }
    try {
      return (Inet6Address) InetAddress.getByAddress(out);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] extract(byte[] b, int length) {
    byte[] v4 = new byte[4];
    int at = length / 8;
    for (int i = 0; i < 4; i++) {
      if (at == 8) {
        at++;
      }
      v4[i] = b[at++];
    }
    return v4;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Nat64 n && n.length == length && Arrays.equals(n.prefix, prefix);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(prefix) * 31 + length;
  }

  /** The prefix as written in a config: {@code 64:ff9b::/96}. */
  @Override
  public String toString() {
    return Addresses.text(prefix) + "/" + length;
  }
}
