package org.mirrordirector.director;

import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

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
    if (forwardedFor == null || !blocks.contains(peerBytes)) {
      return peerBytes == null ? peer : AddressBlocks.text(peerBytes);
    }
    // The hops from the right, without splitting the header (empty hops at its end are none,
    // as String.split would have it).
    int end = forwardedFor.length();
    while (end > 0 && forwardedFor.charAt(end - 1) == ',') {
      end--;
    }
    if (end == 0) {
      return AddressBlocks.text(peerBytes); // no hop at all (a header of commas): the proxy
    }
    byte[] address;
    while (true) {
      int comma = forwardedFor.lastIndexOf(',', end - 1);
      address = literal(forwardedFor.substring(comma + 1, end).trim());
      if (address == null) {
        return AddressBlocks.text(peerBytes); // garbage from a proxy we trust: only the proxy
      }
      if (!blocks.contains(address) || comma < 0) {
        return AddressBlocks.text(address);
      }
      end = comma;
    }
  }

  /**
   * Every {@code X-Forwarded-For} line of a request, joined in order with commas, or null when it
   * has none. A proxy may add a line of its own rather than extend the client's (HAProxy's {@code
   * option forwardfor} does): the first line alone would be the client's, and the client would
   * choose its own location.
   */
  public static String forwardedFor(HttpFields headers) {
    String one = null;
    StringBuilder more = null;
    for (int i = 0, n = headers.size(); i < n; i++) {
      HttpField f = headers.getField(i);
      if (f.getHeader() != HttpHeader.X_FORWARDED_FOR) {
        continue;
      }
      String v = f.getValue();
      if (one == null) {
        one = v;
      } else {
        if (more == null) {
          more = new StringBuilder(one);
        }
        more.append(',').append(v);
      }
    }
    return more != null ? more.toString() : one;
  }

  /**
   * The last {@code X-Forwarded-Proto} line of a request (the nearest proxy's), or null when it has
   * none.
   */
  public static String forwardedProto(HttpFields headers) {
    String last = null;
    for (int i = 0, n = headers.size(); i < n; i++) {
      HttpField f = headers.getField(i);
      if (f.getHeader() == HttpHeader.X_FORWARDED_PROTO) {
        last = f.getValue();
      }
    }
    return last;
  }

  /** The bytes of a literal IPv4 or IPv6 address, or null (never a DNS lookup). */
  static byte[] literal(String s) {
    return AddressBlocks.literal(s);
  }
}
