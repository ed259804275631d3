package org.mirrordirector.sync.archive;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed Release (or the signed text of an InRelease). {@code sha256} maps each listed path
 * (relative to {@code dists/<suite>/}) to its entry, in file order.
 *
 * @param archAllInPackages the Release says {@code No-Support-for-Architecture-all: Packages}:
 *     packages of architecture all are in every architecture's Packages, and apt never reads the
 *     binary-all indexes
 */
public record ReleaseFile(
    String origin,
    String label,
    String suite,
    String codename,
    String version,
    Instant date,
    Optional<Instant> validUntil,
    List<String> architectures,
    List<String> components,
    boolean acquireByHash,
    boolean archAllInPackages,
    Map<String, IndexEntry> sha256) {

  public ReleaseFile {
    architectures = List.copyOf(architectures);
    components = List.copyOf(components);
    sha256 = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sha256));
  }

  /** True when apt would accept this Release for {@code name} given in sources.list. */
  public boolean answersTo(String name) {
    return name.equals(codename) || name.equals(suite);
  }
}
