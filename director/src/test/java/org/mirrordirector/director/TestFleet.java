package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.CurrentSnapshot;
import org.mirrordirector.failover.FamilyState;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorState;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.SnapshotRecord;
import org.mirrordirector.failover.SuiteSnapshot;
import org.mirrordirector.failover.SuiteState;
import org.mirrordirector.failover.ViewSource;
import org.mirrordirector.sync.archive.SnapshotId;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * Two real snapshots (S1 older, S2 current) of a generated archive, and a fleet of mirrors in every
 * state over them: the fixture of the selection and handler tests.
 */
final class TestFleet {
  private TestFleet() {}

  static FileKnowledge files;
  static Path s1Tree;
  static Path s2Tree;
  static Path keyring;
  static String s1;
  static String s2;
  static String onlyInS2;
  static String inBoth;
  static final long NOW = 1_800_000_000_000L;
  static final ClientLocation GB = new ClientLocation("192.0.2.10", "GB", "EU", 64500L, 51.5, -0.1);
  static final ClientLocation DE =
      new ClientLocation("198.51.100.7", "DE", "EU", 64501L, 52.5, 13.4);

  /** Builds the two snapshots under {@code dir}; call once per test class. */
  static void create(Path dir) throws Exception {
    Path a = dir.resolve("s1");
    keyring = dir.resolve("key.asc");
    Files.write(
        keyring,
        ArchiveGenerator.generate(GeneratorOptions.small(a, 30, 3)).key().publicKeyArmored());
    Path b = dir.resolve("s2");
    assertThat(new ProcessBuilder("cp", "-al", a.toString(), b.toString()).start().waitFor())
        .isZero();
    ArchiveGenerator.generate(
        GeneratorOptions.small(b, 0, 3)
            .withUpdateFrom(b, 20)
            .withDate(java.time.Instant.parse("2026-01-02T00:00:00Z")));
    s1 = SnapshotId.ofInRelease(Files.readAllBytes(a.resolve("dists/bookworm/InRelease"))).sha256();
    s2 = SnapshotId.ofInRelease(Files.readAllBytes(b.resolve("dists/bookworm/InRelease"))).sha256();
    files = FileKnowledge.load(List.of(a, b), List.of("bookworm"));
    s1Tree = a;
    s2Tree = b;
    try (Stream<Path> s = Files.walk(b.resolve("pool"))) {
      List<String> debs =
          s.filter(p -> p.toString().endsWith(".deb"))
              .map(p -> b.relativize(p).toString())
              .sorted()
              .toList();
      onlyInS2 = debs.stream().filter(p -> !Files.exists(a.resolve(p))).findFirst().orElseThrow();
      inBoth = debs.stream().filter(p -> Files.exists(a.resolve(p))).findFirst().orElseThrow();
    }
  }

  /**
   * A third snapshot, S3, newer than S2 (hard links to it, 20 % changed): the version a mirror may
   * serve before the node has synced it. Call after {@link #create}.
   */
  static Path newerThanS2(Path dir) throws Exception {
    Path s3 = dir.resolve("s3");
    assertThat(new ProcessBuilder("cp", "-al", s2Tree.toString(), s3.toString()).start().waitFor())
        .isZero();
    ArchiveGenerator.generate(
        GeneratorOptions.small(s3, 0, 3)
            .withUpdateFrom(s3, 20)
            .withDate(java.time.Instant.parse("2026-01-03T00:00:00Z")));
    return s3;
  }

  static MirrorConfig mirror(String id, String country, boolean https, List<String> only) {
    Map<String, String> urls = new HashMap<>();
    urls.put("http", "http://" + id + ".example.org/raspbian/");
    if (https) {
      urls.put("https", "https://" + id + ".example.org/raspbian");
    }
    double lat = country.equals("DE") ? 52.5 : country.equals("US") ? 40.7 : 51.5;
    double lon = country.equals("DE") ? 13.4 : country.equals("US") ? -74.0 : -0.1;
    return new MirrorConfig(
        id,
        urls,
        country,
        country.equals("US") ? "NA" : "EU",
        lat,
        lon,
        null,
        List.of(),
        100,
        only,
        true,
        false);
  }

  /** The mirror with these switches and architectures (empty: every one), the rest the same. */
  static MirrorConfig copy(
      MirrorConfig c, boolean enabled, boolean drained, List<String> architectures) {
    return new MirrorConfig(
        c.id(),
        c.baseUrls(),
        c.country(),
        c.continent(),
        c.latitude(),
        c.longitude(),
        c.asn(),
        c.prefixes(),
        c.weight(),
        c.countryOnly(),
        enabled,
        drained,
        architectures);
  }

  /** A mirror in GB with only an http base, no coordinates: for tests against real servers. */
  static MirrorConfig httpMirror(String id, String base) {
    return new MirrorConfig(
        id,
        Map.of("http", base),
        "GB",
        "EU",
        null,
        null,
        null,
        List.of(),
        100,
        List.of(),
        true,
        false);
  }

  static MirrorState state(String id, String snapshot, Health h, Long lag) {
    SuiteState s = new SuiteState(snapshot, h, 20L, NOW, h + " reason", lag, null);
    return new MirrorState(
        id, Map.of("http", Map.of("bookworm", s), "https", Map.of("bookworm", s)), NOW);
  }

  /** The state, with what the prober found per address family. */
  static MirrorState families(MirrorState s, FamilyState ipv4, FamilyState ipv6) {
    return new MirrorState(
        s.mirror(), s.schemes(), s.probedAtMillis(), Map.of("ipv4", ipv4, "ipv6", ipv6));
  }

  static ClusterView view(Map<String, MirrorView> mirrors) {
    SnapshotRecord r1 =
        new SnapshotRecord("snap-1", Map.of("bookworm", new SuiteSnapshot(s1, 1)), 1);
    SnapshotRecord r2 =
        new SnapshotRecord("snap-2", Map.of("bookworm", new SuiteSnapshot(s2, 2)), 2);
    return new ClusterView(
        1,
        ViewSource.LIVE,
        true,
        NOW,
        3,
        "a",
        Map.of(),
        mirrors,
        Map.of("snap-1", r1, "snap-2", r2),
        new CurrentSnapshot("snap-2", NOW, 3),
        List.of(),
        List.of());
  }

  static MirrorView m(MirrorConfig c, MirrorState s) {
    return new MirrorView(c, s);
  }

  static ClusterView fleet() {
    Map<String, MirrorView> ms = new HashMap<>();
    ms.put(
        "current-gb",
        m(
            mirror("current-gb", "GB", true, List.of()),
            families(
                state("current-gb", s2, Health.OK, null),
                new FamilyState(true, "answers at 192.0.2.80:80"),
                new FamilyState(true, "answers at [2001:db8::80]:80"))));
    ms.put(
        "lagging-de",
        m(
            mirror("lagging-de", "DE", true, List.of()),
            state("lagging-de", s1, Health.LAGGING, 600_000L)));
    ms.put(
        "syncing",
        m(mirror("syncing", "GB", true, List.of()), state("syncing", s2, Health.SYNCING, null)));
    ms.put("down", m(mirror("down", "GB", true, List.of()), state("down", s2, Health.DOWN, null)));
    ms.put(
        "http-only",
        m(mirror("http-only", "GB", false, List.of()), state("http-only", s2, Health.OK, null)));
    ms.put(
        "us-only",
        m(
            mirror("us-only", "US", true, List.of("US")),
            families(
                state("us-only", s2, Health.OK, null),
                new FamilyState(false, "connection refused at 192.0.2.99:80"),
                new FamilyState(true, "answers at [2001:db8::99]:80"))));
    ms.put("unprobed", m(mirror("unprobed", "GB", true, List.of()), null));
    MirrorConfig drained = mirror("drained", "GB", true, List.of());
    drained =
        new MirrorConfig(
            drained.id(),
            drained.baseUrls(),
            "GB",
            "EU",
            51.5,
            -0.1,
            null,
            List.of(),
            100,
            List.of(),
            true,
            true);
    ms.put("drained", m(drained, state("drained", s2, Health.OK, null)));
    return view(ms);
  }
}
