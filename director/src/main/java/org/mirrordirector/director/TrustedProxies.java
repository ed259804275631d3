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
   * written by the client and prove nothing). Addresses are compared as bytes, whatever their
   * spelling (Jetty gives an IPv6 peer as {@code [0:0:0:0:0:0:0:1]}); the result is in the usual
   * form ({@code ::1}, {@code 192.0.2.7}).
   */
  public String client(String peer, String forwardedFor) {
    byte[] peerBytes = literal(peer);
    String peerText = peerBytes == null ? peer : AddressBlocks.text(peerBytes);
    if (forwardedFor == null || !blocks.contains(peerBytes)) {
      return peerText;
    }
    String[] hops = forwardedFor.split(",");
    byte[] address = null;
    for (int i = hops.length - 1; i >= 0; i--) {
      address = literal(hops[i].trim());
      if (address == null) {
        return peerText; // garbage from a proxy we trust: believe only the proxy itself
      }
      if (!blocks.contains(address)) {
        break;
      }
    }
    return AddressBlocks.text(address);
  }

  /** The bytes of a literal IPv4 or IPv6 address, or null (never a DNS lookup). */
  static byte[] literal(String s) {
    return AddressBlocks.literal(s);
  }
}
