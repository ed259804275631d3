package org.mirrordirector.failover;

import static org.mirrordirector.failover.PayloadChecks.require;

import java.util.List;
import java.util.Map;

/**
 * The prober's findings for a mirror: scheme ("http", "https") to suite to state, and per address
 * family ("ipv4", "ipv6") whether the mirror answers over it (empty when not yet known: then every
 * client may be sent there).
 */
public record MirrorState(
    String mirror,
    Map<String, Map<String, SuiteState>> schemes,
    long probedAtMillis,
    Map<String, FamilyState> families) {
  /** The address families a mirror is probed over: the keys of {@link #families}. */
  public static final List<String> FAMILIES = List.of("ipv4", "ipv6");

  public MirrorState(
      String mirror, Map<String, Map<String, SuiteState>> schemes, long probedAtMillis) {
    this(mirror, schemes, probedAtMillis, Map.of());
  }

  public MirrorState {
    families = families == null ? Map.of() : Map.copyOf(families);
    for (String f : families.keySet()) {
      require(FAMILIES.contains(f), "mirror " + mirror + ": unknown address family '" + f + "'");
    }
    RegistryPaths.requireId("mirror", mirror);
    Map<String, Map<String, SuiteState>> copy = new java.util.TreeMap<>();
    if (schemes != null) {
      for (Map.Entry<String, Map<String, SuiteState>> e : schemes.entrySet()) {
        require(
            e.getKey().equals("http") || e.getKey().equals("https"),
            "mirror " + mirror + ": unknown scheme '" + e.getKey() + "'");
        copy.put(e.getKey(), Map.copyOf(e.getValue()));
      }
    }
    schemes = java.util.Collections.unmodifiableMap(copy);
  }

  /**
   * Whether clients of this family may be sent here: true unless a probe found that the mirror does
   * not answer over it (a family the prober could not check from where it stands counts as not
   * found wanting).
   */
  public boolean serves(boolean ipv6) {
    FamilyState f = families.get(ipv6 ? "ipv6" : "ipv4");
    return f == null || f.works() || f.notCheckable();
  }

  /** The state of one suite over one scheme, if probed. */
  public java.util.Optional<SuiteState> suite(String scheme, String suite) {
    return java.util.Optional.ofNullable(schemes.getOrDefault(scheme, Map.of()).get(suite));
  }
}
