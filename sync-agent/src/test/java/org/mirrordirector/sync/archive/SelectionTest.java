package org.mirrordirector.sync.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a partial mirror carries, on the paths Debian bookworm's Release lists. */
class SelectionTest {
  static final List<String> LISTED =
      List.of(
          "main/binary-amd64/Packages.xz",
          "main/binary-amd64/Release",
          "main/binary-arm64/Packages.xz",
          "main/binary-all/Packages.xz",
          "main/source/Sources.xz",
          "main/Contents-amd64.gz",
          "main/Contents-arm64.gz",
          "main/Contents-source.gz",
          "main/Contents-udeb-amd64.gz",
          "main/debian-installer/binary-amd64/Packages.xz",
          "main/debian-installer/binary-arm64/Packages.xz",
          "main/installer-amd64/current/images/SHA256SUMS",
          "main/installer-arm64/current/images/SHA256SUMS",
          "main/dep11/Components-amd64.yml.xz",
          "main/dep11/Components-arm64.yml.xz",
          "main/dep11/icons-48x48.tar.gz",
          "main/i18n/Translation-en.bz2",
          "main/i18n/Translation-de.bz2",
          "contrib/binary-amd64/Packages.xz");

  static ReleaseFile release(boolean archAllInPackages) {
    Map<String, IndexEntry> m = new LinkedHashMap<>();
    for (String p : LISTED) {
      m.put(p, new IndexEntry(p, 1, "0".repeat(64)));
    }
    return new ReleaseFile(
        "Debian",
        "Debian",
        "oldstable",
        "bookworm",
        "12",
        Instant.EPOCH,
        Optional.empty(),
        List.of("all", "amd64", "arm64"),
        List.of("main", "contrib"),
        true,
        archAllInPackages,
        m);
  }

  static List<String> selected(Selection s, ReleaseFile r) {
    return LISTED.stream().filter(p -> s.selects(p, r)).toList();
  }

  @Test
  void everythingIsSelectedByDefault() {
    assertThat(selected(Selection.all(), release(true))).isEqualTo(LISTED);
    assertThat(Selection.all().full()).isTrue();
    assertThat(Selection.all().describe()).isEqualTo("everything");
  }

  @Test
  void oneArchitectureWithoutExtrasIsWhatAptReads() {
    Selection s =
        Selection.all()
            .withComponents(List.of("main"))
            .withArchitectures(List.of("amd64"))
            .withLanguages(Optional.of(List.of("en")))
            .withExtras(EnumSet.noneOf(ExtraIndex.class));
    assertThat(selected(s, release(true)))
        .containsExactly(
            "main/binary-amd64/Packages.xz",
            "main/binary-amd64/Release",
            "main/binary-all/Packages.xz",
            "main/i18n/Translation-en.bz2");
    assertThat(s.optional("main/binary-all/Packages.xz", release(true)))
        .as("apt never reads binary-all when the Release says so")
        .isTrue();
    assertThat(s.optional("main/binary-all/Packages.xz", release(false))).isFalse();
    assertThat(s.optional("main/binary-amd64/Release", release(true))).isTrue();
    assertThat(s.optional("main/binary-amd64/Packages.xz", release(true))).isFalse();
    assertThat(s.carriesSource()).isFalse();
    assertThat(s.carriesArchitecture("arm64")).isFalse();
    assertThat(s.carriesArchitecture("all")).isTrue();
    assertThat(s.describe()).isEqualTo("main; amd64; translations en; no extras");
  }

  @Test
  void extrasFollowTheArchitectures() {
    Selection s =
        Selection.all()
            .withArchitectures(List.of("amd64", "source"))
            .withLanguages(Optional.of(List.of()));
    assertThat(selected(s, release(true)))
        .contains(
            "main/source/Sources.xz",
            "main/Contents-amd64.gz",
            "main/Contents-source.gz",
            "main/Contents-udeb-amd64.gz",
            "main/debian-installer/binary-amd64/Packages.xz",
            "main/installer-amd64/current/images/SHA256SUMS",
            "main/dep11/Components-amd64.yml.xz",
            "main/dep11/icons-48x48.tar.gz",
            "contrib/binary-amd64/Packages.xz")
        .noneMatch(p -> p.contains("arm64") || p.contains("Translation"));
    Selection noInstaller = s.withExtras(ExtraIndex.parse("contents,dep11"));
    assertThat(selected(noInstaller, release(true)))
        .contains("main/Contents-amd64.gz")
        .noneMatch(p -> p.contains("installer") || p.contains("udeb"));
  }

  @Test
  void debianSecuritysComponentsAndArchitecturesAreUnderstoodAsAptDoes() {
    Map<String, IndexEntry> m = new LinkedHashMap<>();
    for (String p :
        List.of(
            "main/binary-amd64/Packages.xz",
            "main/binary-all/Packages.xz",
            "main/binary-amd64/Packages.diff/Index",
            "non-free/binary-amd64/Packages.xz")) {
      m.put(p, new IndexEntry(p, 1, "0".repeat(64)));
    }
    ReleaseFile security =
        new ReleaseFile(
            "Debian",
            "Debian-Security",
            "oldstable-security",
            "bookworm-security",
            "12",
            Instant.EPOCH,
            Optional.empty(),
            List.of("amd64", "arm64"),
            List.of("updates/main", "updates/non-free"),
            true,
            false,
            m);
    Selection s =
        Selection.all()
            .withComponents(List.of("main"))
            .withArchitectures(List.of("amd64"))
            .withExtras(EnumSet.noneOf(ExtraIndex.class));
    assertThat(s.unknownTo(security)).as("'main' is 'updates/main'").isEmpty();
    assertThat(s.components(security)).containsExactly("main");
    assertThat(Selection.all().components(security)).containsExactly("main", "non-free");
    assertThat(m.keySet().stream().filter(p -> s.selects(p, security)).toList())
        .containsExactly("main/binary-amd64/Packages.xz", "main/binary-all/Packages.xz");
    assertThat(s.optional("main/binary-all/Packages.xz", security))
        .as("no 'all' in its Architectures: apt reads no binary-all")
        .isTrue();
    assertThat(
            s.withExtras(EnumSet.of(ExtraIndex.PDIFFS))
                .selects("main/binary-amd64/Packages.diff/Index", security))
        .isTrue();
  }

  @Test
  void badNamesAreNamed() {
    assertThatThrownBy(() -> Selection.all().withArchitectures(List.of("AMD64")))
        .hasMessage("'AMD64' is not an architecture name");
    assertThatThrownBy(() -> Selection.all().withComponents(List.of("../main")))
        .hasMessage("'../main' is not a component name");
    assertThatThrownBy(() -> Selection.all().withLanguages(Optional.of(List.of("en/.."))))
        .hasMessage("'en/..' is not a language name");
    assertThatThrownBy(() -> ExtraIndex.parse("contents,manpages"))
        .hasMessageContaining("unknown extra 'manpages'");
    assertThat(
            Selection.all()
                .withComponents(List.of("main", "rpi"))
                .withArchitectures(List.of("armhf", "source", "all"))
                .unknownTo(release(true)))
        .containsExactly("component rpi", "architecture armhf");
  }
}
