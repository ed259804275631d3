package org.mirrordirector.failover;

import static org.mirrordirector.failover.PayloadChecks.require;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A public mirror as the operators configured it.
 *
 * @param baseUrls archive base URL per scheme ("http", "https")
 * @param countryOnly when not empty, only clients from these countries are sent here
 * @param architectures when not empty, the architectures this partial mirror carries ("source" for
 *     source packages; "all" is always carried): no client is sent here for another's files
 */
public record MirrorConfig(
    String id,
    Map<String, String> baseUrls,
    String country,
    String continent,
    Double latitude,
    Double longitude,
    Long asn,
    List<String> prefixes,
    int weight,
    List<String> countryOnly,
    boolean enabled,
    boolean drained,
    List<String> architectures) {
  private static final Set<String> CONTINENTS = Set.of("AF", "AN", "AS", "EU", "NA", "OC", "SA");

  /** A mirror that carries every architecture. */
  public MirrorConfig(
      String id,
      Map<String, String> baseUrls,
      String country,
      String continent,
      Double latitude,
      Double longitude,
      Long asn,
      List<String> prefixes,
      int weight,
      List<String> countryOnly,
      boolean enabled,
      boolean drained) {
    this(
        id,
        baseUrls,
        country,
        continent,
        latitude,
        longitude,
        asn,
        prefixes,
        weight,
        countryOnly,
        enabled,
        drained,
        List.of());
  }

  /** This mirror, enabled or not and drained or not. */
  public MirrorConfig withSwitches(boolean enabled, boolean drained) {
    return new MirrorConfig(
        id,
        baseUrls,
        country,
        continent,
        latitude,
        longitude,
        asn,
        prefixes,
        weight,
        countryOnly,
        enabled,
        drained,
        architectures);
  }

  /** Whether this mirror carries files of {@code arch} (null: not an architecture's file). */
  public boolean carries(String arch) {
    return arch == null
        || architectures.isEmpty()
        || arch.equals("all")
        || architectures.contains(arch);
  }

  public MirrorConfig {
    RegistryPaths.requireId("mirror", id);
    require(baseUrls != null && !baseUrls.isEmpty(), "mirror " + id + ": no base URL");
    for (Map.Entry<String, String> e : baseUrls.entrySet()) {
      URI u;
      try {
        u = URI.create(e.getValue());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(
            "mirror "
                + id
                + ": invalid URL '"
                + e.getValue()
                + "'"
                + (e.getValue().contains("[") ? " (a malformed IPv6 address?)" : ""));
      }
      String authority = u.getRawAuthority();
      if (authority != null
          && !authority.contains("[")
          && authority.indexOf(':') != authority.lastIndexOf(':')) {
        throw new IllegalArgumentException(
            "mirror "
                + id
                + ": an IPv6 address in a URL must be in brackets, as in http://[2001:db8::1]/"
                + ": '"
                + e.getValue()
                + "'");
      }
      require(
          e.getKey().equals(u.getScheme())
              && (e.getKey().equals("http") || e.getKey().equals("https")),
          "mirror "
              + id
              + ": base URL for "
              + e.getKey()
              + " must be "
              + e.getKey()
              + "://...: '"
              + e.getValue()
              + "'");
      require(
          u.getHost() != null, "mirror " + id + ": base URL has no host: '" + e.getValue() + "'");
      require(
          u.getQuery() == null && u.getFragment() == null,
          "mirror " + id + ": base URL may not have a query or fragment");
    }
    baseUrls = Map.copyOf(baseUrls);
    require(
        country == null || country.matches("[A-Z]{2}"),
        "mirror " + id + ": country must be two capital letters: '" + country + "'");
    require(
        continent == null || CONTINENTS.contains(continent),
        "mirror " + id + ": continent must be one of " + CONTINENTS + ": '" + continent + "'");
    require(
        latitude == null || (latitude >= -90 && latitude <= 90),
        "mirror " + id + ": latitude out of range: " + latitude);
    require(
        longitude == null || (longitude >= -180 && longitude <= 180),
        "mirror " + id + ": longitude out of range: " + longitude);
    require(asn == null || (asn > 0 && asn < 4294967296L), "mirror " + id + ": invalid ASN " + asn);
    prefixes = prefixes == null ? List.of() : List.copyOf(prefixes);
    require(weight >= 0 && weight <= 1000, "mirror " + id + ": weight must be 0..1000: " + weight);
    countryOnly = countryOnly == null ? List.of() : List.copyOf(countryOnly);
    architectures = architectures == null ? List.of() : List.copyOf(architectures);
    for (String a : architectures) {
      require(
          a != null && a.matches("[a-z0-9][a-z0-9-]*") && !a.equals("all"),
          "mirror " + id + ": '" + a + "' is not an architecture name (e.g. armhf, arm64, source)");
    }
  }
}
