package org.mirrordirector.sync.archive.generate;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.mirrordirector.sync.archive.PoolPaths;

/**
 * What to generate.
 *
 * @param packages package names in a fresh archive (each name has one .deb per architecture, or one
 *     for all of them when it is Architecture: all)
 * @param updateFrom a previous archive to derive the next version from; may equal {@code out}
 * @param changePercent percentage of packages changed by an update (half upgraded, a quarter added,
 *     a quarter removed)
 * @param date the Release Date; empty means the default, or an hour after the previous one
 * @param validFor adds Valid-Until = Date + this
 * @param sizeScale multiplies the real size distribution
 * @param keySeed the seed of the signing key; keep it across updates of one archive
 * @param sources also source packages (.dsc, .orig.tar.xz, .debian.tar.xz) with their Sources
 *     indexes, Translation-en and Contents-ARCH: an archive that looks like Raspbian's
 */
public record GeneratorOptions(
    Path out,
    String suite,
    List<String> components,
    List<String> architectures,
    int packages,
    long seed,
    boolean byHash,
    Optional<Path> updateFrom,
    double changePercent,
    Optional<Instant> date,
    Optional<Duration> validFor,
    double sizeScale,
    String keySeed,
    boolean sha1Binding,
    int threads,
    boolean sources) {

  public GeneratorOptions {
    components = List.copyOf(components);
    architectures = List.copyOf(architectures);
    require(PoolPaths.problem(suite, false) == null && !suite.contains("/"), "suite", suite);
    require(!components.isEmpty(), "components", components);
    for (String c : components) {
      require(c.matches("[a-z0-9][a-z0-9-]*"), "component", c);
    }
    require(!architectures.isEmpty(), "architectures", architectures);
    for (String a : architectures) {
      require(a.matches("[a-z0-9][a-z0-9-]*") && !a.equals("all"), "architecture", a);
    }
    require(packages >= 0 && packages <= 2_000_000, "packages (0..2000000)", packages);
    require(changePercent >= 0 && changePercent <= 100, "change percent (0..100)", changePercent);
    require(sizeScale > 0 && sizeScale <= 1, "size scale (0..1]", sizeScale);
    require(threads >= 1 && threads <= 64, "threads (1..64)", threads);
    require(validFor.isEmpty() || !validFor.get().isNegative(), "valid-for", validFor);
  }

  /** A small fresh archive: bookworm, main and rpi, armhf. */
  public static GeneratorOptions small(Path out, int packages, long seed) {
    return new GeneratorOptions(
        out,
        "bookworm",
        List.of("main", "rpi"),
        List.of("armhf"),
        packages,
        seed,
        false,
        Optional.empty(),
        0,
        Optional.empty(),
        Optional.empty(),
        0.01,
        "mirrordirector-test",
        false,
        Math.max(1, Runtime.getRuntime().availableProcessors()),
        false);
  }

  public GeneratorOptions withByHash(boolean b) {
    return new GeneratorOptions(
        out,
        suite,
        components,
        architectures,
        packages,
        seed,
        b,
        updateFrom,
        changePercent,
        date,
        validFor,
        sizeScale,
        keySeed,
        sha1Binding,
        threads,
        sources);
  }

  public GeneratorOptions withUpdateFrom(Path prev, double percent) {
    return new GeneratorOptions(
        out,
        suite,
        components,
        architectures,
        packages,
        seed,
        byHash,
        Optional.of(prev),
        percent,
        date,
        validFor,
        sizeScale,
        keySeed,
        sha1Binding,
        threads,
        sources);
  }

  public GeneratorOptions withDate(Instant d) {
    return new GeneratorOptions(
        out,
        suite,
        components,
        architectures,
        packages,
        seed,
        byHash,
        updateFrom,
        changePercent,
        Optional.of(d),
        validFor,
        sizeScale,
        keySeed,
        sha1Binding,
        threads,
        sources);
  }

  public GeneratorOptions withValidFor(Duration v) {
    return new GeneratorOptions(
        out,
        suite,
        components,
        architectures,
        packages,
        seed,
        byHash,
        updateFrom,
        changePercent,
        date,
        Optional.of(v),
        sizeScale,
        keySeed,
        sha1Binding,
        threads,
        sources);
  }

  public GeneratorOptions withSizeScale(double s) {
    return new GeneratorOptions(
        out,
        suite,
        components,
        architectures,
        packages,
        seed,
        byHash,
        updateFrom,
        changePercent,
        date,
        validFor,
        s,
        keySeed,
        sha1Binding,
        threads,
        sources);
  }

  public GeneratorOptions withKey(String seed, boolean sha1) {
    return new GeneratorOptions(
        out,
        suite,
        components,
        architectures,
        packages,
        this.seed,
        byHash,
        updateFrom,
        changePercent,
        date,
        validFor,
        sizeScale,
        seed,
        sha1,
        threads,
        sources);
  }

  public GeneratorOptions withComponents(List<String> c) {
    return new GeneratorOptions(
        out,
        suite,
        c,
        architectures,
        packages,
        seed,
        byHash,
        updateFrom,
        changePercent,
        date,
        validFor,
        sizeScale,
        keySeed,
        sha1Binding,
        threads,
        sources);
  }

  public GeneratorOptions withArchitectures(List<String> a) {
    return new GeneratorOptions(
        out,
        suite,
        components,
        a,
        packages,
        seed,
        byHash,
        updateFrom,
        changePercent,
        date,
        validFor,
        sizeScale,
        keySeed,
        sha1Binding,
        threads,
        sources);
  }

  private static void require(boolean ok, String what, Object value) {
    if (!ok) {
      throw new IllegalArgumentException("invalid " + what + ": " + value);
    }
  }

  /** With source packages, Sources, Translation-en and Contents (see {@code sources}). */
  public GeneratorOptions withSources(boolean b) {
    return new GeneratorOptions(
        out,
        suite,
        components,
        architectures,
        packages,
        seed,
        byHash,
        updateFrom,
        changePercent,
        date,
        validFor,
        sizeScale,
        keySeed,
        sha1Binding,
        threads,
        b);
  }
}
