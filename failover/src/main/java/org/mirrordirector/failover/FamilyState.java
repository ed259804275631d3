package org.mirrordirector.failover;

/**
 * Whether a mirror answers over one address family (IPv4 or IPv6).
 *
 * @param works whether an HTTP request over this family got an answer from the mirror
 * @param detail the address used, or why the family does not work ("no IPv6 address", "connection
 *     refused from [::1]:8080"), in words
 */
public record FamilyState(boolean works, String detail, boolean notCheckable) {
  public FamilyState(boolean works, String detail) {
    this(works, detail, false);
  }

  /**
   * This node has no path to the family at all (no route, no address of it, no NAT64): nothing was
   * learned about the mirror, which is no reason to keep clients of the family away.
   */
  public static FamilyState notCheckable(String detail) {
    return new FamilyState(false, detail, true);
  }
}
