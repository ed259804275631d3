package org.mirrordirector.failover;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The registry's payloads. Each is checked when built, so a payload read from ZooKeeper that breaks
 * a rule is reported and skipped by the reader instead of reaching the director. Times are epoch
 * milliseconds (wall clock: they are shown to people, never used for leases).
 */
public final class Payloads {
  private Payloads() {}

  /**
   * The data of the epoch znode; the epoch itself is the znode's version.
   *
   * @param term a random id of the promotion, to recognise one's own increment after a lost reply
   */
  public record EpochRecord(String leader, long sinceMillis, String term) {
    public EpochRecord {
      if (leader != null) {
        RegistryPaths.requireId("node", leader);
      }
    }
  }

  /** The role a node reports for itself. */
  public enum Role {
    ACTIVE,
    NEUTRAL,
    STANDBY,
    /** A director replica: reads the registry, never joins the election, holds indexes only. */
    REPLICA
  }

  /**
   * One running node (ephemeral).
   *
   * @param address where the node's director answers (host:port)
   * @param rsync the rsync URL of the node's published tree, from which a hot spare copies; null
   *     when it serves none
   * @param heartbeatMillis when the node last wrote this znode: every second for the writer pair,
   *     on each change for a replica (whose presence is the ephemeral znode itself)
   * @param region a replica's region, null for the writer pair
   */
  public record NodeInfo(
      String id,
      String address,
      Role role,
      long epoch,
      boolean ready,
      long heartbeatMillis,
      String snapshot,
      String rsync,
      String region) {
    public NodeInfo {
      RegistryPaths.requireId("node", id);
      require(role != null, "node " + id + ": role is missing");
      require(epoch >= 0, "node " + id + ": negative epoch " + epoch);
      require(
          rsync == null
              || (rsync.startsWith("rsync://")
                  && rsync.endsWith("/")
                  && rsync.chars().noneMatch(c -> c < 0x21 || c == 0x7f)),
          "node " + id + ": rsync must be rsync://host/module/: '" + rsync + "'");
      require(
          region == null || region.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}"),
          "node " + id + ": region must be 1-64 of [A-Za-z0-9._-]: '" + region + "'");
    }

    /** A node of the writer pair (no region). */
    public NodeInfo(
        String id,
        String address,
        Role role,
        long epoch,
        boolean ready,
        long heartbeatMillis,
        String snapshot,
        String rsync) {
      this(id, address, role, epoch, ready, heartbeatMillis, snapshot, rsync, null);
    }

    public NodeInfo withRole(Role r, long e) {
      return new NodeInfo(id, address, r, e, ready, heartbeatMillis, snapshot, rsync, region);
    }

    public NodeInfo withHeartbeat(long millis) {
      return new NodeInfo(id, address, role, epoch, ready, millis, snapshot, rsync, region);
    }

    public NodeInfo withReady(boolean r, String snap) {
      return new NodeInfo(id, address, role, epoch, r, heartbeatMillis, snap, rsync, region);
    }

    public NodeInfo withRsync(String url) {
      return new NodeInfo(id, address, role, epoch, ready, heartbeatMillis, snapshot, url, region);
    }
  }

  /**
   * A public mirror as the operators configured it.
   *
   * @param baseUrls archive base URL per scheme ("http", "https")
   * @param countryOnly when not empty, only clients from these countries are sent here
   * @param architectures when not empty, the architectures this partial mirror carries ("source"
   *     for source packages; "all" is always carried): no client is sent here for another's files
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
      require(
          asn == null || (asn > 0 && asn < 4294967296L), "mirror " + id + ": invalid ASN " + asn);
      prefixes = prefixes == null ? List.of() : List.copyOf(prefixes);
      require(
          weight >= 0 && weight <= 1000, "mirror " + id + ": weight must be 0..1000: " + weight);
      countryOnly = countryOnly == null ? List.of() : List.copyOf(countryOnly);
      architectures = architectures == null ? List.of() : List.copyOf(architectures);
      for (String a : architectures) {
        require(
            a != null && a.matches("[a-z0-9][a-z0-9-]*") && !a.equals("all"),
            "mirror "
                + id
                + ": '"
                + a
                + "' is not an architecture name (e.g. armhf, arm64, source)");
      }
    }
  }

  /**
   * The health a prober gives one suite of a mirror. AHEAD: a validly signed snapshot newer than
   * the director's own, with the indexes it names and the pool files it adds (sampled): a mirror
   * pushed by the upstream before the director's node synced.
   */
  public enum Health {
    OK,
    LAGGING,
    AHEAD,
    SYNCING,
    BROKEN,
    DOWN
  }

  /**
   * What the prober found for one suite of a mirror over one scheme.
   *
   * @param snapshot the SHA-256 of the InRelease the mirror serves (null when none was read)
   * @param health the state after hysteresis
   * @param lagMillis for LAGGING, how long the mirror's snapshot has been superseded
   * @param reason why, in words, for the status page and the explain output
   * @param traceMillis the Date in the mirror's own trace file, when it has one
   */
  public record SuiteState(
      String snapshot,
      Health health,
      Long latencyMs,
      Long lastSuccessMillis,
      String reason,
      Long lagMillis,
      Long traceMillis) {
    public SuiteState {
      require(health != null, "suite state: health is missing");
      require(
          snapshot == null || snapshot.matches("[0-9a-f]{64}"),
          "suite state: snapshot is not a SHA-256: '" + snapshot + "'");
      require(lagMillis == null || lagMillis >= 0, "suite state: negative lag " + lagMillis);
    }
  }

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
     * This node has no path to the family at all (no route, no address of it, no NAT64): nothing
     * was learned about the mirror, which is no reason to keep clients of the family away.
     */
    public static FamilyState notCheckable(String detail) {
      return new FamilyState(false, detail, true);
    }
  }

  /** The address families a mirror is probed over: the keys of {@link MirrorState#families}. */
  public static final List<String> FAMILIES = List.of("ipv4", "ipv6");

  /**
   * The prober's findings for a mirror: scheme ("http", "https") to suite to state, and per address
   * family ("ipv4", "ipv6") whether the mirror answers over it (empty when not yet known: then
   * every client may be sent there).
   */
  public record MirrorState(
      String mirror,
      Map<String, Map<String, SuiteState>> schemes,
      long probedAtMillis,
      Map<String, FamilyState> families) {
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
     * Whether clients of this family may be sent here: true unless a probe found that the mirror
     * does not answer over it (a family the prober could not check from where it stands counts as
     * not found wanting).
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

  /** One suite of a snapshot: the identity apt sees. */
  public record SuiteSnapshot(String inReleaseSha256, long dateMillis) {
    public SuiteSnapshot {
      require(
          inReleaseSha256 != null && inReleaseSha256.matches("[0-9a-f]{64}"),
          "suite snapshot: InRelease hash is not a SHA-256: '" + inReleaseSha256 + "'");
    }
  }

  /** A verified, published snapshot of the archive. */
  public record SnapshotRecord(String id, Map<String, SuiteSnapshot> suites, long createdAtMillis) {
    public SnapshotRecord {
      RegistryPaths.requireId("snapshot", id);
      require(suites != null && !suites.isEmpty(), "snapshot " + id + ": no suite");
      suites = Map.copyOf(suites);
    }
  }

  /** The snapshot clients are sent to, and the epoch of the leader that published it. */
  public record CurrentSnapshot(String snapshot, long publishedAtMillis, long epoch) {
    public CurrentSnapshot {
      RegistryPaths.requireId("snapshot", snapshot);
    }
  }

  /** One failover drill. */
  public record DrillRecord(
      String id,
      String mode,
      boolean passed,
      long startedAtMillis,
      long finishedAtMillis,
      Map<String, Double> figures,
      String summary) {
    public DrillRecord {
      RegistryPaths.requireId("drill", id);
      require(mode != null && !mode.isBlank(), "drill " + id + ": mode is missing");
      figures = figures == null ? Map.of() : Map.copyOf(figures);
    }
  }

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
