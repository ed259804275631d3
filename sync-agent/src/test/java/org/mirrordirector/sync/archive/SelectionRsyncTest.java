package org.mirrordirector.sync.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A selection's rsync filters, applied by the real rsync to a Debian-shaped tree: what a partial
 * mirror copies, from the archive's root and from its dists/ (the index stages).
 */
class SelectionRsyncTest {
  @TempDir Path dir;

  static final List<String> TREE =
      List.of(
          "dists/bookworm/InRelease",
          "dists/bookworm/main/binary-armhf/Packages.xz",
          "dists/bookworm/main/binary-armhf/by-hash/SHA256/aa",
          "dists/bookworm/main/binary-arm64/Packages.xz",
          "dists/bookworm/main/binary-all/Packages.xz",
          "dists/bookworm/main/source/Sources.xz",
          "dists/bookworm/main/i18n/Translation-en.bz2",
          "dists/bookworm/main/i18n/Translation-de.bz2",
          "dists/bookworm/main/i18n/by-hash/SHA256/bb",
          "dists/bookworm/main/dep11/Components-armhf.yml.gz",
          "dists/bookworm/main/dep11/Components-arm64.yml.gz",
          "dists/bookworm/main/dep11/icons-48x48.tar.gz",
          "dists/bookworm/main/Contents-armhf.gz",
          "dists/bookworm/main/Contents-source.gz",
          "dists/bookworm/main/debian-installer/binary-armhf/Packages.xz",
          "dists/bookworm/main/installer-armhf/current/images/SHA256SUMS",
          "dists/bookworm/contrib/binary-armhf/Packages.xz",
          "pool/main/s/source/source_1_armhf.deb",
          "pool/main/h/hello/hello_1.dsc",
          "pool/main/h/hello/hello_1.orig.tar.gz",
          "pool/main/h/hello/hello_1-1.debian.tar.xz",
          "pool/main/h/hello/hello_1_armhf.deb",
          "pool/main/h/hello/hello_1_arm64.deb",
          "pool/main/h/hello/hello_1_all.deb",
          "pool/main/d/d-i/d-i_1_armhf.udeb",
          "pool/contrib/x/x/x_1_armhf.deb",
          "project/trace/master");

  TreeSet<String> copy(Path from, List<String> filters) throws Exception {
    Path to = Files.createTempDirectory(dir, "copy");
    List<String> cmd = new ArrayList<>(List.of("rsync", "-r"));
    for (String f : filters) {
      cmd.add("--filter=" + f);
    }
    cmd.add(from + "/");
    cmd.add(to + "/");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    TreeSet<String> got = new TreeSet<>();
    try (Stream<Path> s = Files.walk(to)) {
      s.filter(Files::isRegularFile).forEach(f -> got.add(to.relativize(f).toString()));
    }
    return got;
  }

  @Test
  void theRealRsyncCopiesExactlyTheSelection() throws Exception {
    Path src = dir.resolve("src");
    for (String f : TREE) {
      Files.createDirectories(src.resolve(f).getParent());
      Files.writeString(src.resolve(f), f);
    }
    Selection s =
        Selection.all()
            .withComponents(List.of("main"))
            .withArchitectures(List.of("armhf"))
            .withLanguages(Optional.of(List.of("en")))
            .withExtras(EnumSet.of(ExtraIndex.DEP11));
    assertThat(copy(src, s.rsyncFilters(false)))
        .containsExactly(
            "dists/bookworm/InRelease",
            "dists/bookworm/main/binary-all/Packages.xz",
            "dists/bookworm/main/binary-armhf/Packages.xz",
            "dists/bookworm/main/binary-armhf/by-hash/SHA256/aa",
            "dists/bookworm/main/dep11/Components-armhf.yml.gz",
            "dists/bookworm/main/dep11/icons-48x48.tar.gz",
            "dists/bookworm/main/i18n/Translation-en.bz2",
            "dists/bookworm/main/i18n/by-hash/SHA256/bb",
            "pool/main/h/hello/hello_1_all.deb",
            "pool/main/h/hello/hello_1_armhf.deb",
            "pool/main/s/source/source_1_armhf.deb",
            "project/trace/master");
    // The index stages copy dists/ alone, with the same selection.
    assertThat(copy(src.resolve("dists"), s.rsyncFilters(true)))
        .containsExactly(
            "bookworm/InRelease",
            "bookworm/main/binary-all/Packages.xz",
            "bookworm/main/binary-armhf/Packages.xz",
            "bookworm/main/binary-armhf/by-hash/SHA256/aa",
            "bookworm/main/dep11/Components-armhf.yml.gz",
            "bookworm/main/dep11/icons-48x48.tar.gz",
            "bookworm/main/i18n/Translation-en.bz2",
            "bookworm/main/i18n/by-hash/SHA256/bb");
    // Source carried, every extra, both architectures of one component: only contrib is left out.
    Selection withSource =
        Selection.all()
            .withComponents(List.of("main"))
            .withArchitectures(List.of("armhf", "source"));
    TreeSet<String> got = copy(src, withSource.rsyncFilters(false));
    assertThat(got)
        .contains(
            "pool/main/h/hello/hello_1.dsc",
            "pool/main/h/hello/hello_1.orig.tar.gz",
            "pool/main/h/hello/hello_1-1.debian.tar.xz",
            "pool/main/d/d-i/d-i_1_armhf.udeb",
            "dists/bookworm/main/source/Sources.xz",
            "dists/bookworm/main/Contents-source.gz",
            "dists/bookworm/main/debian-installer/binary-armhf/Packages.xz",
            "dists/bookworm/main/installer-armhf/current/images/SHA256SUMS",
            "dists/bookworm/main/i18n/Translation-de.bz2")
        .noneMatch(f -> f.contains("arm64") || f.contains("contrib"));
    assertThat(Selection.all().rsyncFilters(false)).as("a full mirror: no filter").isEmpty();
  }
}
