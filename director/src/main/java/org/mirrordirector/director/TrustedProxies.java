package org.mirrordirector.director;

import java.util.List;

/**
 * The proxies whose {@code X-Forwarded-For} and {@code X-Forwarded-Proto} headers are believed:
 * addresses and CIDR prefixes, IPv4 and IPv6. From anyone else the headers are ignored, so a client
 * cannot choose its own location or scheme.
 */
public final class TrustedProxies {
  private final AddressBlocks blocks;

  private TrustedProxies(AddressBlocks blocks) {
    this.blocks = blocks;
  }

  public static TrustedProxies none() {
    return new TrustedProxies(AddressBlocks.NONE);
  }

  /**
   * Parses "ADDRESS" or "ADDRESS/BITS" entries, literal addresses only (no host names).
   *
   * @throws IllegalArgumentException naming the entry that is not one
   */
  public static TrustedProxies parse(List<String> entries) {
    return new TrustedProxies(AddressBlocks.parse(entries, "trusted proxy"));
  }

  public boolean contains(String address) {
    return blocks.contains(address);
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
      byte[] address = literal(h);
      if (address == null) {
        return peer; // garbage from a proxy we trust: believe only the proxy itself
      }
      if (!blocks.contains(address)) {
        return h;
      }
    }
    return hops[0].trim();
  }

  /** The bytes of a literal IPv4 or IPv6 address, or null (never a DNS lookup). */
  static byte[] literal(String s) {
    return AddressBlocks.literal(s);
  }
}
