package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RunResult;

/**
 * Archives no one here made the files of: real .deb files from this machine's apt cache, and a real
 * source package built by {@code dpkg-source}, published by Debian's own tools ({@code reprepro},
 * or {@code apt-ftparchive} and {@code gpg --clearsign}), signed by a key {@code gpg} makes.
 */
public final class RealArchives {
  public static final Path APT_CACHE = Path.of("/var/cache/apt/archives");
  public static final String SOURCE = "mdtest-hello";

  private RealArchives() {}

  /** The builder of an archive. */
  public enum Tool {
    REPREPRO,
    APT_FTPARCHIVE
  }

  /** A signing key in its own GnuPG home: fingerprint, and the public key as a binary keyring. */
  public record Key(Path home, String fingerprint, Path keyring) {}

  /** What was published: the archive root, its key, and the packages in it. */
  public record Built(Path root, Key key, List<String> packages, String source) {}

  /**
   * The {@code n} smallest amd64 or all .deb files of the apt cache, one per package name; fewer
   * (maybe none) on a machine whose cache is empty.
   */
  public static List<Path> cachedDebs(int n) throws IOException {
    if (!Files.isDirectory(APT_CACHE)) {
      return List.of();
    }
    List<Path> all;
    try (Stream<Path> s = Files.list(APT_CACHE)) {
      all =
          s.filter(p -> p.toString().endsWith("_amd64.deb") || p.toString().endsWith("_all.deb"))
              .sorted(Comparator.comparingLong(RealArchives::size).thenComparing(Path::toString))
              .toList();
    }
    List<Path> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Path p : all) {
      String name = p.getFileName().toString().split("_")[0];
      if (names.add(name)) {
        out.add(p);
      }
      if (out.size() == n) {
        break;
      }
    }
    // One with an epoch, which apt encodes as %3a in URLs and file names, when the cache has one.
    all.stream()
        .filter(p -> p.getFileName().toString().contains("%3a"))
        .filter(p -> names.add(p.getFileName().toString().split("_")[0]))
        .findFirst()
        .ifPresent(out::add);
    return out;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  public static String run(Path dir, Map<String, String> env, String... cmd)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().putAll(env);
    RunResult r = BoundedRun.run(pb, dir, java.time.Duration.ofSeconds(120));
    assertThat(r.exit()).as(r.describe(List.of(cmd))).isZero();
    return r.output();
  }

  /** A command's standard output alone (its warnings on stderr are not part of an index). */
  public static String stdout(Path dir, Map<String, String> env, String... cmd)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(env);
    RunResult r = BoundedRun.run(pb, dir, java.time.Duration.ofSeconds(120));
    assertThat(r.exit()).as(r.describe(List.of(cmd))).isZero();
    return r.output();
  }

  /** A new RSA signing key made by gpg, with no passphrase. */
  public static Key key(Path dir) throws IOException, InterruptedException {
    Path home = Files.createDirectories(dir.resolve("gnupg"));
    Files.setPosixFilePermissions(
        home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Map<String, String> env = Map.of("GNUPGHOME", home.toString());
    run(
        dir,
        env,
        "gpg",
        "--batch",
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "",
        "--quick-gen-key",
        "Mirror Director Test Archive <archive@mirrordirector.invalid>",
        "rsa2048",
        "sign",
        "2d");
    String colons = run(dir, env, "gpg", "--batch", "--with-colons", "--list-keys");
    String fpr = null;
    for (String l : colons.split("\n")) {
      if (l.startsWith("fpr:") && fpr == null) {
        fpr = l.split(":")[9];
      }
    }
    Path keyring = dir.resolve("archive-keyring.gpg");
    ProcessBuilder pb =
        new ProcessBuilder("gpg", "--batch", "--export", fpr).redirectOutput(keyring.toFile());
    pb.environment().putAll(env);
    Process export = pb.start();
    export.getOutputStream().close();
    assertThat(export.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(export.exitValue()).isZero();
    assertThat(Files.size(keyring)).isPositive();
    return new Key(home, fpr, keyring);
  }

  /**
   * A real "3.0 (quilt)" source package built by dpkg-source: an upstream tarball and the
   * packaging; the .dsc's path.
   */
  public static Path sourcePackage(Path dir) throws IOException, InterruptedException {
    Path work = Files.createDirectories(dir.resolve("src-build"));
    Path tree = work.resolve(SOURCE + "-1.0");
    Files.createDirectories(tree.resolve("src"));
    Files.writeString(tree.resolve("README"), "A greeting, for Mirror Director's tests.\n");
    Files.writeString(
        tree.resolve("src/hello.c"),
        "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
    run(work, Map.of(), "tar", "-czf", SOURCE + "_1.0.orig.tar.gz", SOURCE + "-1.0");
    Path debian = Files.createDirectories(tree.resolve("debian/source"));
    Files.writeString(debian.resolve("format"), "3.0 (quilt)\n");
    Files.writeString(
        tree.resolve("debian/control"),
        "Source: "
            + SOURCE
            + "\nSection: misc\nPriority: optional\nMaintainer: Mirror Director Tests"
            + " <tests@mirrordirector.invalid>\nBuild-Depends: debhelper-compat (= 13)\n"
            + "Standards-Version: 4.6.2\n\nPackage: "
            + SOURCE
            + "\nArchitecture: any\nDescription: greeting for tests\n a test package.\n");
    Files.writeString(
        tree.resolve("debian/changelog"),
        SOURCE
            + " (1.0-1) bookworm; urgency=medium\n\n  * Built for tests.\n\n -- Mirror Director"
            + " Tests <tests@mirrordirector.invalid>  Sun, 01 Jun 2025 00:00:00 +0000\n");
    Files.writeString(tree.resolve("debian/rules"), "#!/usr/bin/make -f\n%:\n\tdh $@\n");
    Files.writeString(
        tree.resolve("debian/copyright"), "Files: *\nCopyright: none\nLicense: public-domain\n");
    run(work, Map.of(), "dpkg-source", "-b", SOURCE + "-1.0");
    Path dsc = work.resolve(SOURCE + "_1.0-1.dsc");
    assertThat(dsc).exists();
    return dsc;
  }

  /** Publishes the .debs and the source package into a new archive with {@code tool}. */
  public static Built build(Tool tool, Path dir, List<Path> debs, Path dsc, Key key)
      throws IOException, InterruptedException {
    Path root = Files.createDirectories(dir.resolve(tool.name().toLowerCase()));
    Map<String, String> env = Map.of("GNUPGHOME", key.home().toString());
    List<String> names = new ArrayList<>();
    for (Path d : debs) {
      names.add(d.getFileName().toString().split("_")[0]);
    }
    if (tool == Tool.REPREPRO) {
      Path conf = Files.createDirectories(root.resolve("conf"));
      Files.writeString(
          conf.resolve("distributions"),
          "Origin: Mirror Director Test\nLabel: reprepro\nCodename: bookworm\nSuite: stable\n"
              + "Architectures: amd64 source\nComponents: main\n"
              + "Description: real packages, published by reprepro\n"
              + "SignWith: "
              + key.fingerprint()
              + "\n");
      List<String> cmd =
          new ArrayList<>(
              List.of("reprepro", "-b", root.toString(), "-S", "misc", "-P", "optional"));
      cmd.add("includedeb");
      cmd.add("bookworm");
      for (Path d : debs) {
        cmd.add(d.toString());
      }
      run(root, env, cmd.toArray(String[]::new));
      run(
          root,
          env,
          "reprepro",
          "-b",
          root.toString(),
          "-S",
          "misc",
          "-P",
          "optional",
          "includedsc",
          "bookworm",
          dsc.toString());
      // reprepro's own database and configuration are not part of what a mirror serves.
      run(root, Map.of(), "rm", "-rf", "conf", "db");
    } else {
      Path bin = Files.createDirectories(root.resolve("pool/main/bin"));
      for (Path d : debs) {
        Files.copy(d, bin.resolve(d.getFileName().toString()));
      }
      Path src = Files.createDirectories(root.resolve("pool/main/m/" + SOURCE));
      try (Stream<Path> s = Files.list(dsc.getParent())) {
        for (Path f : (Iterable<Path>) s::iterator) {
          String n = f.getFileName().toString();
          if (Files.isRegularFile(f) && n.startsWith(SOURCE + "_")) {
            Files.copy(f, src.resolve(n));
          }
        }
      }
      Path dists = Files.createDirectories(root.resolve("dists/bookworm"));
      Path b = Files.createDirectories(dists.resolve("main/binary-amd64"));
      Path s = Files.createDirectories(dists.resolve("main/source"));
      Files.writeString(
          b.resolve("Packages"), stdout(root, env, "apt-ftparchive", "packages", "pool/main"));
      Files.writeString(
          s.resolve("Sources"), stdout(root, env, "apt-ftparchive", "sources", "pool/main"));
      run(root, env, "gzip", "-9nk", b.resolve("Packages").toString());
      run(root, env, "xz", "-k", s.resolve("Sources").toString());
      String release =
          stdout(
              root,
              env,
              "apt-ftparchive",
              "-o",
              "APT::FTPArchive::Release::Origin=Mirror Director Test",
              "-o",
              "APT::FTPArchive::Release::Label=apt-ftparchive",
              "-o",
              "APT::FTPArchive::Release::Suite=stable",
              "-o",
              "APT::FTPArchive::Release::Codename=bookworm",
              "-o",
              "APT::FTPArchive::Release::Architectures=amd64",
              "-o",
              "APT::FTPArchive::Release::Components=main",
              "release",
              "dists/bookworm");
      Files.writeString(dists.resolve("Release"), release);
      run(
          dists,
          env,
          "gpg",
          "--batch",
          "--yes",
          "--local-user",
          key.fingerprint(),
          "--clearsign",
          "--output",
          "InRelease",
          "Release");
      run(
          dists,
          env,
          "gpg",
          "--batch",
          "--yes",
          "--local-user",
          key.fingerprint(),
          "--armor",
          "--detach-sign",
          "--output",
          "Release.gpg",
          "Release");
    }
    return new Built(root, key, names, SOURCE);
  }
}
