package org.mirrordirector.sync.archive;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What part of an archive a mirror carries, as ftpsync's ARCH_INCLUDE/ARCH_EXCLUDE and its language
 * and extras settings select it. Files the Release lists outside the selection are neither required
 * nor copied; inside it, every listed index must be present and correct.
 *
 * @param components components carried; empty means every one the Release lists
 * @param architectures architectures carried ("source" for Sources and source packages); empty
 *     means every one the Release lists, and source. "all" is always carried.
 * @param languages the Translation-LANG files carried; empty (Optional) means every one, an empty
 *     list none
 * @param extras the other indexes carried: Contents, the installer's, AppStream (dep11)
 */
public record Selection(
    List<String> components,
    List<String> architectures,
    Optional<List<String>> languages,
    Set<ExtraIndex> extras) {

  private static final java.util.regex.Pattern NAME =
      java.util.regex.Pattern.compile("[a-z0-9][a-z0-9.+_-]*");
  private static final java.util.regex.Pattern LANGUAGE =
      java.util.regex.Pattern.compile("[a-z]{2,3}(_[A-Z]{2})?(@[a-z]+)?");

  public Selection {
    components = checked(components, NAME, "component");
    architectures = checked(architectures, NAME, "architecture");
    languages = languages.map(l -> checked(l, LANGUAGE, "language"));
    extras = extras.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(extras));
  }

  private static List<String> checked(List<String> names, java.util.regex.Pattern p, String what) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (n == null || !p.matcher(n).matches()) {
        throw new IllegalArgumentException("'" + n + "' is not " + article(what) + " name");
      }
      if (!out.contains(n)) {
        out.add(n);
      }
    }
    return List.copyOf(out);
  }

  private static String article(String what) {
    return (what.startsWith("a") ? "an " : "a ") + what;
  }

  /** Everything the Release lists: a full mirror. */
  public static Selection all() {
    return new Selection(List.of(), List.of(), Optional.empty(), EnumSet.allOf(ExtraIndex.class));
  }

  public Selection withComponents(List<String> c) {
    return new Selection(c, architectures, languages, extras);
  }

  public Selection withArchitectures(List<String> a) {
    return new Selection(components, a, languages, extras);
  }

  public Selection withLanguages(Optional<List<String>> l) {
    return new Selection(components, architectures, l, extras);
  }

  public Selection withExtras(Set<ExtraIndex> e) {
    return new Selection(components, architectures, languages, e);
  }

  /** Whether this selects everything (no component, architecture, language or extra left out). */
  public boolean full() {
    return components.isEmpty()
        && architectures.isEmpty()
        && languages.isEmpty()
        && extras.size() == ExtraIndex.values().length;
  }

  /** Whether the selection carries source packages (Sources indexes, .dsc and tarballs). */
  public boolean carriesSource() {
    return architectures.isEmpty() || architectures.contains("source");
  }

  /** Whether a mirror with this selection carries binary packages of {@code arch}. */
  public boolean carriesArchitecture(String arch) {
    return architectures.isEmpty() || arch.equals("all") || architectures.contains(arch);
  }

  /**
   * The components and architectures the Release promises and this selection carries: the
   * components, and the architectures with "source" when carried (never "all").
   */
  public List<String> components(ReleaseFile release) {
    if (!components.isEmpty()) {
      return components;
    }
    return release.components().stream().map(c -> componentDir(c, release)).toList();
  }

  /**
   * The directory under {@code dists/SUITE/} that holds a component the Release names: the name
   * itself, or its last segment where the paths lack the rest. Debian-security's Release says
   * "Components: updates/main ..." and lists "main/binary-amd64/Packages"; apt asks for "main".
   */
  static String componentDir(String component, ReleaseFile release) {
    int slash = component.lastIndexOf('/');
    if (slash < 0) {
      return component;
    }
    for (String p : release.sha256().keySet()) {
      if (p.startsWith(component + "/")) {
        return component;
      }
    }
    return component.substring(slash + 1);
  }

  /** Whether this selection's component {@code c} names the Release's {@code listed}. */
  private static boolean sameComponent(String c, String listed, ReleaseFile release) {
    return c.equals(listed) || c.equals(componentDir(listed, release));
  }

  public List<String> architectures(ReleaseFile release) {
    if (!architectures.isEmpty()) {
      return architectures.stream().filter(a -> !a.equals("all")).toList();
    }
    List<String> out = new ArrayList<>(release.architectures());
    out.remove("all");
    out.add("source");
    return out;
  }

  /** What this selection names that the Release does not list, in words; empty when nothing. */
  public List<String> unknownTo(ReleaseFile release) {
    List<String> out = new ArrayList<>();
    for (String c : components) {
      if (release.components().stream().noneMatch(l -> sameComponent(c, l, release))) {
        out.add("component " + c);
      }
    }
    for (String a : architectures) {
      if (!a.equals("source") && !a.equals("all") && !release.architectures().contains(a)) {
        out.add("architecture " + a);
      }
    }
    return out;
  }

  /**
   * Whether a path the Release lists (relative to {@code dists/SUITE/}) is inside the selection.
   */
  public boolean selects(String path, ReleaseFile release) {
    String rest = path;
    for (String listed : release.components()) {
      String dir = componentDir(listed, release);
      if (path.startsWith(dir + "/")) {
        if (!components.isEmpty()
            && components.stream().noneMatch(c -> sameComponent(c, listed, release))) {
          return false;
        }
        rest = path.substring(dir.length() + 1);
        break;
      }
    }
    if (rest.contains(".diff/")) {
      // apt's pdiffs: Packages.diff/Index and its patches, beside the index they update.
      return extras.contains(ExtraIndex.PDIFFS)
          && selects(path.substring(0, path.indexOf(".diff/")), release);
    }
    String file = rest.substring(rest.lastIndexOf('/') + 1);
    String name = Compression.base(file);
    if (rest.startsWith("dep11/")) {
      return extras.contains(ExtraIndex.DEP11) && archTokensCarried(name, release);
    }
    if (rest.startsWith("debian-installer/")) {
      return extras.contains(ExtraIndex.INSTALLER) && binaryDirCarried(rest);
    }
    if (rest.startsWith("installer-")) {
      int slash = rest.indexOf('/');
      String arch = rest.substring("installer-".length(), slash < 0 ? rest.length() : slash);
      return extras.contains(ExtraIndex.INSTALLER) && carriesArchitecture(arch);
    }
    if (rest.startsWith("i18n/")) {
      if (name.startsWith("Translation-")) {
        String lang = name.substring("Translation-".length());
        return languages.isEmpty() || languages.get().contains(lang);
      }
      return languages.isEmpty() || !languages.get().isEmpty(); // i18n/Index and the like
    }
    if (name.startsWith("Contents-")) {
      if (!extras.contains(ExtraIndex.CONTENTS)) {
        return false;
      }
      if (name.startsWith("Contents-udeb-") && !extras.contains(ExtraIndex.INSTALLER)) {
        return false;
      }
      return archTokensCarried(name, release);
    }
    if (rest.startsWith("binary-") || rest.contains("/binary-") || rest.startsWith("source/")) {
      return binaryDirCarried(rest);
    }
    return archTokensCarried(name, release);
  }

  private boolean binaryDirCarried(String rest) {
    for (String seg : rest.split("/")) {
      if (seg.startsWith("binary-")) {
        return carriesArchitecture(seg.substring("binary-".length()));
      }
      if (seg.equals("source")) {
        return carriesSource();
      }
    }
    return true;
  }

  /**
   * Whether a listed index inside the selection may be absent: the per-directory Release files
   * (binary-ARCH/Release, source/Release), which apt never reads, and the binary-all indexes of a
   * partial mirror when apt does not read them either: the Release lists no "all" architecture, or
   * says its packages are in every architecture's Packages. Present, they are checked like any
   * other.
   */
  public boolean optional(String path, ReleaseFile release) {
    String base = Compression.base(path);
    if (base.endsWith("/Release")) {
      return true;
    }
    // apt reads binary-all only when the Release lists "all" and does not say its packages are in
    // every architecture's Packages (Debian-security lists no "all"; Debian says so).
    boolean aptReadsAll = release.architectures().contains("all") && !release.archAllInPackages();
    return !aptReadsAll
        && !architectures.isEmpty()
        && !architectures.contains("all")
        && (base.contains("/binary-all/") || base.startsWith("binary-all/"));
  }

  /** Contents-armhf, Components-arm64.yml: a name that names an architecture carries only it. */
  private boolean archTokensCarried(String name, ReleaseFile release) {
    for (String token : name.split("[-.]")) {
      if (token.equals("source") && !carriesSource()) {
        return false;
      }
      if (release.architectures().contains(token) && !carriesArchitecture(token)) {
        return false;
      }
    }
    return true;
  }

  /**
   * rsync filter rules ({@code --filter=RULE}, first match wins) that copy only this selection, as
   * ftpsync's include/exclude does: other components' trees, other architectures' index
   * directories, Contents, AppStream files and packages, source packages when "source" is not
   * carried, translations not carried, and the extras left out. Empty for a full mirror.
   *
   * @param distsRoot true for an rsync run whose source is the archive's {@code dists/} (the index
   *     stages), false for one rooted at the archive
   */
  public java.util.List<String> rsyncFilters(boolean distsRoot) {
    List<String> f = new ArrayList<>();
    if (full()) {
      return f;
    }
    // Anchored: only dists/ holds indexes, only pool/ holds packages (a package may be named
    // "source", and dep11's icons are .tar.gz files).
    String d = distsRoot ? "/" : "/dists/"; // the dists/ directory
    String suiteDirs = d + "*/"; // dists/SUITE/
    boolean pool = !distsRoot;
    if (!components.isEmpty()) {
      for (String c : components) {
        f.add("+ " + suiteDirs + c + "/");
        if (pool) {
          f.add("+ /pool/" + c + "/");
        }
      }
      f.add("- " + suiteDirs + "*/");
      if (pool) {
        f.add("- /pool/*/");
      }
    }
    if (!extras.contains(ExtraIndex.DEP11)) {
      f.add("- " + d + "**/dep11/");
    }
    if (!extras.contains(ExtraIndex.INSTALLER)) {
      f.add("- " + d + "**/installer-*/");
      f.add("- " + d + "**/debian-installer/");
      f.add("- " + d + "**/Contents-udeb-*");
      if (pool) {
        f.add("- /pool/**.udeb");
      }
    }
    if (!extras.contains(ExtraIndex.PDIFFS)) {
      f.add("- " + d + "**/*.diff/");
    }
    if (!extras.contains(ExtraIndex.CONTENTS)) {
      f.add("- " + d + "**/Contents-*");
    }
    languages.ifPresent(
        langs -> {
          for (String l : langs) {
            f.add("+ " + d + "**/i18n/Translation-" + l);
            f.add("+ " + d + "**/i18n/Translation-" + l + ".*");
          }
          f.add("- " + d + "**/i18n/Translation-*");
        });
    if (!carriesSource()) {
      f.add("- " + suiteDirs + "*/source/");
      f.add("- " + d + "**/Contents-source*");
      if (pool) {
        f.add("- /pool/**.dsc");
        f.add("- /pool/**.tar.*");
        f.add("- /pool/**.diff.gz");
      }
    } else if (!architectures.isEmpty()) {
      f.add("+ " + d + "**/Contents-source*");
    }
    if (!architectures.isEmpty()) {
      List<String> carried = new ArrayList<>(architectures(emptyRelease()));
      carried.remove("source");
      carried.add("all");
      for (String a : carried) {
        f.add("+ " + d + "**/binary-" + a + "/");
        f.add("+ " + d + "**/installer-" + a + "/");
        f.add("+ " + d + "**/Contents-" + a);
        f.add("+ " + d + "**/Contents-" + a + ".*");
        f.add("+ " + d + "**/Contents-udeb-" + a);
        f.add("+ " + d + "**/Contents-udeb-" + a + ".*");
        f.add("+ " + d + "**/Components-" + a + ".yml*");
        if (pool) {
          f.add("+ /pool/**_" + a + ".deb");
          f.add("+ /pool/**_" + a + ".udeb");
        }
      }
      f.add("- " + d + "**/binary-*/");
      f.add("- " + d + "**/installer-*/");
      f.add("- " + d + "**/Contents-*");
      f.add("- " + d + "**/Components-*.yml*");
      if (pool) {
        f.add("- /pool/**_*.deb");
        f.add("- /pool/**_*.udeb");
      }
    }
    return f;
  }

  private static ReleaseFile emptyRelease() {
    return new ReleaseFile(
        null,
        null,
        null,
        null,
        null,
        java.time.Instant.EPOCH,
        Optional.empty(),
        List.of(),
        List.of(),
        false,
        false,
        java.util.Map.of());
  }

  /** The selection as a sentence, for logs and reports ("main, contrib; armhf; ..."). */
  public String describe() {
    if (full()) {
      return "everything";
    }
    return (components.isEmpty() ? "all components" : String.join(",", components))
        + "; "
        + (architectures.isEmpty()
            ? "all architectures and source"
            : String.join(",", architectures))
        + "; "
        + languages
            .map(l -> l.isEmpty() ? "no translations" : "translations " + String.join(",", l))
            .orElse("all translations")
        + "; "
        + (extras.isEmpty()
            ? "no extras"
            : "extras "
                + String.join(
                    ",",
                    EnumSet.copyOf(extras).stream()
                        .map(e -> e.name().toLowerCase(Locale.ROOT))
                        .toList()));
  }
}
