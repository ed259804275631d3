package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.mirrordirector.ops.cli.MirrorctlTest.mirrorctl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mirrordirector.failover.Health;
import org.mirrordirector.ops.cli.MirrorctlTest.Run;
import org.mirrordirector.ops.node.Node;
import org.mirrordirector.ops.node.NodeConfigFile;
import org.mirrordirector.ops.node.NodeTest;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.archive.Apt;
import org.mirrordirector.sync.archive.Compression;
import org.mirrordirector.sync.archive.Deb822Reader;
import org.mirrordirector.sync.archive.Paragraph;
import org.mirrordirector.sync.archive.Sha256;

/**
 * End to end on what no one here made: real .deb files from the apt cache and a real source package
 * built by dpkg-source, published and signed by Debian's own tools (reprepro; apt-ftparchive and
 * gpg), verified by {@code mirrorctl verify}, synced by a node over a real rsync daemon, served to
 * clients by nginx as the public mirror (also through a director replica holding the indexes
 * alone), and fetched by real apt in its default configuration (translations, retries and
 * architecture as apt sets them) through the director: {@code update}, {@code download} and {@code
 * source --download-only}, every downloaded file's SHA-256 equal to the index's.
 *
 * <p>Skipped when the apt cache holds fewer than 3 .deb files and none could be downloaded, or
 * without nginx (the test command installs nginx and fills an empty cache as root). Its twins on
 * generated archives: {@code AptThroughDirectorTest} (apt through the director to Jetty mirrors),
 * {@code PartialMirrorSyncTest} (sync over a real rsync daemon) and {@code ArchiveGeneratorTest}
 * (source packages that dpkg-source unpacks).
 */
class RealArchivesTest {

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(RealArchives.Tool.class)
  void aRealArchiveReachesDefaultAptThroughTheDirectorAndAnNginxMirror(RealArchives.Tool tool)
      throws Exception {
    List<Path> debs = RealArchives.cachedDebs(5);
    assumeTrue(debs.size() >= 3, "fewer than 3 .deb files in " + RealArchives.APT_CACHE);
    assumeTrue(Nginx.available(), "nginx is not installed");
    RealArchives.Key key = RealArchives.key(dir);
    Path dsc = RealArchives.sourcePackage(dir);
    RealArchives.Built built = RealArchives.build(tool, dir, debs, dsc, key);
    Path root = built.root();

    // Verified as it stands: signature, indexes, every pool file's SHA-256.
    Run ok =
        mirrorctl(
            "verify",
            root.toString(),
            "--suite",
            "bookworm",
            "--keyring",
            key.keyring().toString(),
            "--pool",
            "hash");
    assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).contains("1 sources").contains("OK");
    // One changed byte in a pool file (a copy): exit 1, naming it.
    Path copy = dir.resolve("changed");
    RealArchives.run(dir, Map.of(), "cp", "-a", root.toString(), copy.toString());
    Path deb = firstDeb(copy);
    byte[] b = Files.readAllBytes(deb);
    b[b.length / 2] ^= 1;
    Files.write(deb, b);
    Run bad =
        mirrorctl(
            "verify",
            copy.toString(),
            "--suite",
            "bookworm",
            "--keyring",
            key.keyring().toString(),
            "--pool",
            "hash");
    assertThat(bad.code()).isOne();
    assertThat(bad.out()).contains(copy.relativize(deb).toString()).contains("SHA256");

    try (RsyncDaemon upstream = new RsyncDaemon(dir.resolve("rsyncd"), root);
        Nginx nginx = new Nginx(dir.resolve("nginx"), root, List.of("127.0.0.1", "::1"));
        Node node = Node.start(NodeConfigFile.load(config(upstream.url(), key.keyring())))) {
      NodeTest.await("the node leads", () -> node.leadership().isServingAsLeader());
      NodeTest.await("it syncs and publishes the archive", () -> node.view().current() != null);
      Run added =
          mirrorctl(
              "mirrors",
              "add",
              "nginx",
              "--url",
              "http://127.0.0.1:" + node.port(),
              "--token-file",
              dir.resolve("token").toString(),
              "--http",
              nginx.base("127.0.0.1"),
              "--country",
              "GB");
      assertThat(added.code()).as(added.err()).isZero();
      NodeTest.await(
          "the prober finds the nginx mirror current",
          () ->
              node.view()
                      .mirrors()
                      .get("nginx")
                      .state()
                      .suite("http", "bookworm")
                      .orElseThrow()
                      .health()
                  == Health.OK);

      Run sources =
          mirrorctl(
              "sources",
              "--url",
              "http://127.0.0.1:" + node.port() + "/raspbian/",
              "--suite",
              "bookworm",
              "--source",
              "--signed-by",
              key.keyring().toString());
      assertThat(sources.out()).contains("\ndeb-src [signed-by=");
      Apt apt = Apt.withDefaults(dir.resolve("apt"));
      apt.sourcesFile("director.list", sources.out());
      apt.run("update");
      assertThat(nginx.log())
          .as("InRelease came from the mirror, through the director's redirect")
          .contains("GET /dists/bookworm/InRelease ");

      Map<String, String> want = new HashMap<>();
      for (Paragraph p : paragraphs(root, "dists/bookworm/main/binary-amd64/Packages")) {
        String f = p.get("Filename");
        want.put(f.substring(f.lastIndexOf('/') + 1), p.get("SHA256"));
      }
      for (String pkg : built.packages()) {
        apt.run("download", pkg);
      }
      apt.run("source", "--download-only", built.source());
      for (Paragraph p : paragraphs(root, "dists/bookworm/main/source/Sources")) {
        for (String line : p.get("Checksums-Sha256").trim().split("\n")) {
          String[] f = line.trim().split("\\s+");
          want.put(f[2], f[0]);
        }
      }
      Map<String, String> got = new HashMap<>();
      try (Stream<Path> s = Files.list(apt.downloads())) {
        for (Path f : (Iterable<Path>) s::iterator) {
          if (Files.isRegularFile(f)) {
            got.put(
                f.getFileName().toString().replace("%3a", ":"), Sha256.hex(Files.readAllBytes(f)));
          }
        }
      }
      int debsGot = 0;
      for (Map.Entry<String, String> g : got.entrySet()) {
        String name = g.getKey();
        // apt names a download with its epoch ("_4:12.2"); a pool file may lack it or hold "%3a".
        String expected = want.get(name);
        if (expected == null) {
          expected = want.get(name.replace(":", "%3a")); // a pool file named as the apt cache does
        }
        if (expected == null) {
          expected = want.get(name.replaceFirst("_[0-9]+(:|%3a)", "_")); // one without its epoch
        }
        assertThat(g.getValue()).as(name + " as the index says").isEqualTo(expected);
        debsGot += name.endsWith(".deb") ? 1 : 0;
      }
      assertThat(debsGot).isEqualTo(built.packages().size());
      assertThat(got.keySet())
          .anyMatch(n -> n.endsWith(".dsc"))
          .anyMatch(n -> n.endsWith(".orig.tar.gz"))
          .anyMatch(n -> n.endsWith(".debian.tar.xz"));
      assertThat(nginx.log())
          .as("pool files, binary and source, came from the mirror")
          .containsPattern("GET /pool/[^ ]+\\.deb ")
          .containsPattern("GET /pool/[^ ]+\\.dsc ");

      // A director replica of this archive: the indexes copied from the node's module and
      // verified, no pool, and default apt through it, sent to the nginx mirror.
      try (Node replica =
          Node.start(
              NodeConfigFile.load(
                  TestNodes.replica(
                      dir,
                      "replica",
                      "real-region",
                      "127.0.0.1",
                      node.config().zookeeper().connectString(),
                      upstream.url(),
                      key.keyring(),
                      "http://127.0.0.1:" + node.port() + "/raspbian/")))) {
        NodeTest.await(
            "the replica holds the node's snapshot, copied from its module",
            () ->
                replica.localSnapshot().isPresent()
                    && replica.localSnapshot().get().equals(node.view().current().snapshot())
                    && node.rsyncUrl()
                        .orElseThrow()
                        .equals(replica.sync().stats().last().upstream()));
        Path indexes = dir.resolve("replica/archive/current");
        assertThat(indexes.resolve("pool")).doesNotExist();
        assertThat(indexes.resolve("dists/bookworm/InRelease"))
            .hasSameBinaryContentAs(root.resolve("dists/bookworm/InRelease"));
        Apt viaReplica = Apt.withDefaults(dir.resolve("apt-replica"));
        viaReplica.sourcesFile(
            "replica.list",
            sources.out().replace(":" + node.port() + "/", ":" + replica.port() + "/"));
        int before = nginx.log().split("GET /dists/bookworm/InRelease ", -1).length;
        viaReplica.run("update");
        viaReplica.run("download", built.packages().get(0));
        assertThat(nginx.log().split("GET /dists/bookworm/InRelease ", -1).length)
            .as("the replica sent apt's InRelease request to the nginx mirror")
            .isGreaterThan(before);
      }
    }
  }

  private static Path firstDeb(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root.resolve("pool"))) {
      return s.filter(p -> p.toString().endsWith(".deb")).sorted().findFirst().orElseThrow();
    }
  }

  /** The stanzas of an index, read from whichever variant the archive has. */
  private static List<Paragraph> paragraphs(Path root, String index) throws IOException {
    for (String suffix : List.of("", ".gz", ".xz")) {
      Path p = root.resolve(index + suffix);
      if (Files.exists(p)) {
        try (InputStream in =
            Compression.of(p.toString())
                .decompress(Files.newInputStream(p), p.toString(), 1L << 30)) {
          Deb822Reader r = new Deb822Reader(in, p.toString());
          List<Paragraph> out = new java.util.ArrayList<>();
          Paragraph para;
          while ((para = r.next()) != null) {
            out.add(para);
          }
          return out;
        }
      }
    }
    throw new IOException("no variant of " + index + " in " + root);
  }

  private Path config(String upstream, Path keyring) throws IOException {
    return TestNodes.write(dir, "real", "127.0.0.1", "", upstream, keyring, "", "");
  }
}
