package org.mirrordirector.director;

/**
 * Where a client is, as far as the director can tell (from a GeoIP database); any field may be null
 * when unknown.
 */
public record ClientLocation(
    String address, String country, String continent, Long asn, Double latitude, Double longitude) {

  public static ClientLocation unknown(String address) {
    return new ClientLocation(address, null, null, null, null, null);
  }

  /** Whether the client came over IPv6 (its address, in the usual form, has a colon). */
  public boolean ipv6() {
    return address != null && address.indexOf(':') >= 0;
  }
}
