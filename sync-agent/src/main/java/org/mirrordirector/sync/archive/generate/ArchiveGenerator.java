package org.mirrordirector.sync.archive.generate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.mirrordirector.sync.archive.ClearSignedMessage;
import org.mirrordirector.sync.archive.Deb822Field;
import org.mirrordirector.sync.archive.Deb822Reader;
import org.mirrordirector.sync.archive.Paragraph;
import org.mirrordirector.sync.archive.ReleaseFile;
import org.mirrordirector.sync.archive.ReleaseParser;
import org.mirrordirector.sync.archive.Rfc2822Dates;
import org.mirrordirector.sync.archive.Sha256;
import org.mirrordirector.sync.archive.SnapshotId;

/**
 * Generates real, signed Debian-format archives for tests, benchmarks and the demo, and next
 * versions of them: some packages upgraded, some added, some removed, as an upstream changes
 * between two syncs. The same options always produce the same bytes.
 *
 * <p>Package sizes follow the measured distribution of a Raspbian suite (log-normal, median 59 KB,
 * mean 1.5 MB, p99 22 MB), multiplied by {@code sizeScale} so a 60,000-package pool fits a disk.
 */
public final class ArchiveGenerator {
  /** Fixed so that a seed alone determines the archive; a later version adds an hour. */
  public static final Instant DEFAULT_DATE = Instant.parse("2026-01-01T00:00:00Z");

  private static final double LN_MEDIAN = Math.log(59_000);
  private static final double SIGMA = 2.54;
  private static final Set<String> ARCHIVE_FIELDS = Set.of("Filename", "Size", "MD5sum", "SHA256");

  private final GeneratorOptions o;
  private final Path out;
  private final String dists;
  private final SigningKey key;

  private ArchiveGenerator(GeneratorOptions o) {
    this.o = o;
    this.out = o.out().toAbsolutePath().normalize();
    this.dists = "dists/" + o.suite() + "/";
    this.key = SigningKey.fromSeed(o.keySeed(), o.sha1Binding());
  }

  public static GeneratedArchive generate(GeneratorOptions options) throws IOException {
    return new ArchiveGenerator(options).run();
  }

  private GeneratedArchive run() throws IOException {
    Optional<Path> prevRoot = o.updateFrom().map(p -> p.toAbsolutePath().normalize());
    boolean inPlace = prevRoot.isPresent() && prevRoot.get().equals(out);
    if (!inPlace && Files.isDirectory(out)) {
      try (Stream<Path> s = Files.list(out)) {
        if (s.findAny().isPresent()) {
          throw new IOException("output directory " + out + " is not empty");
        }
      }
    }
    Files.createDirectories(out);

    List<GeneratedDeb> debs;
    List<GeneratedDeb> fresh;
    Set<GeneratedDeb> isFresh = Collections.newSetFromMap(new IdentityHashMap<>());
    int removedCount = 0;
    List<GeneratedDeb> dropped = new ArrayList<>();
    int upgraded = 0;
    int added = 0;
    Instant date;
    if (prevRoot.isEmpty()) {
      date = o.date().orElse(DEFAULT_DATE);
      Random rnd = new Random(o.seed());
      fresh = newPackages(rnd, o.packages(), new HashSet<>(), new ArrayList<>());
      debs = fresh;
    } else {
      Path prev = prevRoot.get();
      ReleaseFile prevRelease = readRelease(prev);
      date = o.date().orElse(prevRelease.date().plus(Duration.ofHours(1)));
      List<GeneratedDeb> old = readCatalog(prev, prevRelease);
      Random rnd = new Random(o.seed() ^ prevRelease.date().getEpochSecond());
      Map<String, List<GeneratedDeb>> byName = new LinkedHashMap<>();
      for (GeneratedDeb d : old) {
        byName.computeIfAbsent(d.component() + "/" + d.name(), k -> new ArrayList<>()).add(d);
      }
      List<String> names = new ArrayList<>(byName.keySet());
      Collections.sort(names);
      int changes = (int) Math.round(names.size() * o.changePercent() / 100.0);
      if (o.changePercent() > 0 && changes == 0) {
        changes = 1;
      }
      upgraded = (changes + 1) / 2;
      added = changes / 4;
      int removed = Math.min(names.size() - upgraded, changes - upgraded - added);
      List<String> order = new ArrayList<>(names);
      Collections.shuffle(order, rnd);
      Set<String> upgrade = new HashSet<>(order.subList(0, Math.min(upgraded, order.size())));
      Set<String> remove =
          new HashSet<>(order.subList(upgrade.size(), upgrade.size() + Math.max(0, removed)));
      debs = new ArrayList<>();
      fresh = new ArrayList<>();
      for (String n : names) {
        for (GeneratedDeb d : byName.get(n)) {
          if (remove.contains(n)) {
            dropped.add(d);
          } else if (upgrade.contains(n)) {
            GeneratedDeb u = upgrade(d, rnd);
            dropped.add(d);
            fresh.add(u);
            debs.add(u);
          } else {
            debs.add(d);
          }
        }
      }
      Set<String> used = new HashSet<>();
      List<String> depNames = new ArrayList<>();
      for (GeneratedDeb d : old) {
        used.add(d.name());
        depNames.add(d.name());
      }
      List<GeneratedDeb> adds = newPackages(rnd, added, used, depNames);
      fresh.addAll(adds);
      debs.addAll(adds);
      if (!inPlace) {
        Set<GeneratedDeb> renewed = Collections.newSetFromMap(new IdentityHashMap<>());
        renewed.addAll(fresh);
        for (GeneratedDeb d : debs) {
          if (!renewed.contains(d)) {
            ArchiveFiles.link(prev.resolve(d.filename()), out.resolve(d.filename()));
          }
        }
      }
      upgraded = upgrade.size();
      added = adds.size();
      removedCount = remove.size();
    }
    isFresh.addAll(fresh);
    long poolBytes = writeDebs(fresh, date);
    for (GeneratedDeb d : debs) {
      if (!isFresh.contains(d)) {
        poolBytes += Long.parseLong(d.stanza().get("Size"));
      }
    }
    List<GeneratedSource> sources = o.sources() ? SourcePackages.of(debs) : List.of();
    for (GeneratedSource src : sources) {
      SourcePackages.write(out, inPlace ? Optional.empty() : prevRoot, src);
      poolBytes += src.bytes();
    }
    SnapshotId snapshot = writeIndexesAndRelease(debs, sources, date);
    Set<String> names = new HashSet<>();
    Set<String> files = new HashSet<>();
    for (GeneratedDeb d : debs) {
      names.add(d.component() + "/" + d.name());
      files.add(d.filename());
    }
    for (GeneratedSource src : sources) {
      for (String f : src.files().keySet()) {
        files.add(src.directory() + "/" + f);
      }
    }
    if (inPlace) {
      for (GeneratedDeb d : dropped) {
        if (!files.contains(d.filename())) {
          Files.deleteIfExists(out.resolve(d.filename()));
        }
      }
      if (o.sources()) {
        for (GeneratedSource src : SourcePackages.of(dropped)) {
          for (String f : src.files().keySet()) {
            if (!files.contains(src.directory() + "/" + f)) {
              Files.deleteIfExists(out.resolve(src.directory() + "/" + f));
            }
          }
        }
      }
    }
    return new GeneratedArchive(
        out,
        o.suite(),
        date,
        snapshot,
        names.size(),
        files.size(),
        poolBytes,
        upgraded,
        added,
        removedCount,
        key);
  }

  // --- packages ---------------------------------------------------------------------------

  private List<GeneratedDeb> newPackages(
      Random rnd, int count, Set<String> used, List<String> depNames) {
    List<GeneratedDeb> debs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String comp = pickComponent(rnd);
      String name = Names.newName(rnd, used);
      String source =
          name.endsWith("-dev") || name.endsWith("-doc")
              ? name.substring(0, name.length() - 4)
              : name;
      String version =
          (rnd.nextInt(20) == 0 ? "1:" : "")
              + (rnd.nextInt(9) + 0)
              + "."
              + rnd.nextInt(30)
              + "."
              + rnd.nextInt(12)
              + "-"
              + (rnd.nextInt(4) + 1)
              + (comp.equals("rpi") || rnd.nextInt(5) == 0 ? "+rpi1" : "");
      boolean all = rnd.nextDouble() < 0.12;
      LinkedHashMap<String, String> control = new LinkedHashMap<>();
      control.put("Package", name);
      if (!source.equals(name)) {
        control.put("Source", source);
      }
      control.put("Version", version);
      control.put("Architecture", "ARCH");
      control.put("Maintainer", "Mirror Director Tests <tests@mirrordirector.invalid>");
      control.put("Installed-Size", "0");
      if (!depNames.isEmpty()) {
        StringBuilder deps = new StringBuilder();
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n; k++) {
          if (k > 0) {
            deps.append(", ");
          }
          deps.append(depNames.get(rnd.nextInt(depNames.size())));
          if (rnd.nextBoolean()) {
            deps.append(" (>= ")
                .append(rnd.nextInt(5))
                .append('.')
                .append(rnd.nextInt(10))
                .append(')');
          }
        }
        control.put("Depends", deps.toString());
      }
      control.put("Section", Names.SECTIONS[rnd.nextInt(Names.SECTIONS.length)]);
      control.put("Priority", rnd.nextInt(10) == 0 ? "important" : "optional");
      control.put("Homepage", "https://" + source + ".example.org/");
      control.put("Description", Names.description(rnd, name));
      depNames.add(name);
      List<String> archs = all ? List.of("all") : o.architectures();
      for (String arch : archs) {
        LinkedHashMap<String, String> st = new LinkedHashMap<>(control);
        st.put("Architecture", arch);
        st.put("Size", Long.toString(sampleSize(rnd)));
        st.put("Filename", poolPath(comp, source, name, version, arch));
        debs.add(new GeneratedDeb(comp, name, arch, st));
      }
    }
    return debs;
  }

  private GeneratedDeb upgrade(GeneratedDeb d, Random rnd) {
    LinkedHashMap<String, String> st = new LinkedHashMap<>();
    for (Map.Entry<String, String> f : d.stanza().entrySet()) {
      if (!ARCHIVE_FIELDS.contains(f.getKey())) {
        st.put(f.getKey(), f.getValue());
      }
    }
    String version = bump(st.get("Version"));
    st.put("Version", version);
    st.put("Size", Long.toString(sampleSize(rnd)));
    String source = st.getOrDefault("Source", d.name()).split(" ")[0];
    st.put("Filename", poolPath(d.component(), source, d.name(), version, d.arch()));
    return new GeneratedDeb(d.component(), d.name(), d.arch(), st);
  }

  /** Next Debian revision: 1.2-3 becomes 1.2-4, 1.2-3+rpi1 becomes 1.2-4+rpi1. */
  static String bump(String version) {
    int dash = version.lastIndexOf('-');
    if (dash < 0) {
      return version + "-1";
    }
    String rev = version.substring(dash + 1);
    int digits = 0;
    while (digits < rev.length() && Character.isDigit(rev.charAt(digits))) {
      digits++;
    }
    if (digits == 0) {
      return version + "+1";
    }
    long n = Long.parseLong(rev.substring(0, digits)) + 1;
    return version.substring(0, dash + 1) + n + rev.substring(digits);
  }

  private String pickComponent(Random rnd) {
    List<String> c = o.components();
    if (c.size() == 1 || rnd.nextDouble() < 0.8) {
      return c.get(0);
    }
    return c.get(1 + rnd.nextInt(c.size() - 1));
  }

  private long sampleSize(Random rnd) {
    double real = Math.exp(LN_MEDIAN + SIGMA * rnd.nextGaussian());
    return Math.max(1, Math.min((long) (real * o.sizeScale()), 512L << 20));
  }

  private static String poolPath(
      String comp, String source, String name, String version, String arch) {
    String prefix =
        source.startsWith("lib") && source.length() > 3
            ? source.substring(0, 4)
            : source.substring(0, 1);
    String v = version.contains(":") ? version.substring(version.indexOf(':') + 1) : version;
    return "pool/" + comp + "/" + prefix + "/" + source + "/" + name + "_" + v + "_" + arch
        + ".deb";
  }

  // --- writing ----------------------------------------------------------------------------

  /** Builds and writes the new .deb files in parallel; fills in their archive fields. */
  private long writeDebs(List<GeneratedDeb> debs, Instant date) throws IOException {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            o.threads(),
            r -> {
              Thread t = new Thread(r, "generate-deb");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<Long>> tasks = new ArrayList<>();
      for (GeneratedDeb d : debs) {
        tasks.add(pool.submit(() -> writeDeb(d, date)));
      }
      long total = 0;
      for (Future<Long> f : tasks) {
        total += f.get();
      }
      return total;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating packages", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot generate a package: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private long writeDeb(GeneratedDeb d, Instant date) throws IOException {
    LinkedHashMap<String, String> control = new LinkedHashMap<>();
    for (Map.Entry<String, String> f : d.stanza().entrySet()) {
      if (!ARCHIVE_FIELDS.contains(f.getKey())) {
        control.put(f.getKey(), f.getValue());
      }
    }
    long target = Long.parseLong(d.stanza().get("Size"));
    control.put("Installed-Size", Long.toString(Math.max(1, target * 3 / 1024)));
    long contentSeed = o.seed() * 31 + d.filename().hashCode();
    byte[] deb =
        DebWriter.build(control, target, contentSeed, Instant.parse("2025-06-01T00:00:00Z"));
    Path file = out.resolve(d.filename());
    ArchiveFiles.writeAtomically(file, deb);
    String filename = d.filename();
    LinkedHashMap<String, String> st = d.stanza();
    st.put("Installed-Size", control.get("Installed-Size"));
    st.remove("Filename");
    st.remove("Size");
    st.put("Filename", filename);
    st.put("Size", Long.toString(deb.length));
    st.put("MD5sum", DebWriter.md5(deb));
    st.put("SHA256", Sha256.hex(deb));
    return deb.length;
  }

  private SnapshotId writeIndexesAndRelease(
      List<GeneratedDeb> debs, List<GeneratedSource> sources, Instant date) throws IOException {
    List<String[]> entries = new ArrayList<>(); // path, size, md5, sha256
    if (o.sources()) {
      for (String comp : o.components()) {
        byte[] srcIndex = SourcePackages.index(sources, comp);
        index(entries, comp + "/source/Sources", srcIndex);
        index(entries, comp + "/source/Sources.gz", ArchiveFiles.gzip(srcIndex));
        index(entries, comp + "/source/Sources.xz", ArchiveFiles.xz(srcIndex));
        byte[] tr = ExtraIndexes.translation(debs, comp);
        index(entries, comp + "/i18n/Translation-en", tr);
        index(entries, comp + "/i18n/Translation-en.xz", ArchiveFiles.xz(tr));
        for (String arch : o.architectures()) {
          byte[] contents = ExtraIndexes.contents(debs, comp, arch);
          index(entries, comp + "/Contents-" + arch, contents);
          index(entries, comp + "/Contents-" + arch + ".gz", ArchiveFiles.gzip(contents));
        }
      }
    }
    for (String comp : o.components()) {
      for (String arch : o.architectures()) {
        List<GeneratedDeb> in = new ArrayList<>();
        for (GeneratedDeb d : debs) {
          if (d.component().equals(comp) && (d.arch().equals(arch) || d.arch().equals("all"))) {
            in.add(d);
          }
        }
        in.sort(Comparator.comparing(GeneratedDeb::name).thenComparing(GeneratedDeb::arch));
        StringBuilder sb = new StringBuilder();
        for (GeneratedDeb d : in) {
          for (Map.Entry<String, String> f : d.stanza().entrySet()) {
            sb.append(f.getKey())
                .append(": ")
                .append(f.getValue().replace("\n", "\n "))
                .append('\n');
          }
          sb.append('\n');
        }
        byte[] plain = sb.toString().getBytes(StandardCharsets.UTF_8);
        String dir = comp + "/binary-" + arch + "/";
        index(entries, dir + "Packages", plain);
        index(entries, dir + "Packages.gz", ArchiveFiles.gzip(plain));
        index(entries, dir + "Packages.xz", ArchiveFiles.xz(plain));
      }
    }
    entries.sort(Comparator.comparing(e -> e[0]));
    StringBuilder rel = new StringBuilder();
    rel.append("Origin: Mirror Director\n");
    rel.append("Label: Mirror Director test archive\n");
    rel.append("Suite: ").append(o.suite()).append('\n');
    rel.append("Codename: ").append(o.suite()).append('\n');
    rel.append("Date: ").append(Rfc2822Dates.format(date)).append('\n');
    o.validFor()
        .ifPresent(
            v ->
                rel.append("Valid-Until: ").append(Rfc2822Dates.format(date.plus(v))).append('\n'));
    if (o.byHash()) {
      rel.append("Acquire-By-Hash: yes\n");
    }
    rel.append("Architectures: ").append(String.join(" ", o.architectures())).append('\n');
    rel.append("Components: ").append(String.join(" ", o.components())).append('\n');
    rel.append("Description: generated by mirrorctl archive generate (seed ")
        .append(o.seed())
        .append(")\n");
    rel.append("MD5Sum:\n");
    for (String[] e : entries) {
      rel.append(String.format(Locale.ROOT, " %s %16s %s%n", e[2], e[1], e[0]));
    }
    rel.append("SHA256:\n");
    for (String[] e : entries) {
      rel.append(String.format(Locale.ROOT, " %s %16s %s%n", e[3], e[1], e[0]));
    }
    byte[] release = rel.toString().replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8);
    byte[] inRelease = key.clearSign(release, date);
    ArchiveFiles.writeAtomically(out.resolve(dists + "Release"), release);
    ArchiveFiles.writeAtomically(
        out.resolve(dists + "Release.gpg"), key.detachedSign(release, date));
    ArchiveFiles.writeAtomically(out.resolve(dists + "InRelease"), inRelease);
    return SnapshotId.ofInRelease(inRelease);
  }

  private void index(List<String[]> entries, String path, byte[] data) throws IOException {
    Path file = out.resolve(dists + path);
    ArchiveFiles.writeAtomically(file, data);
    String sha = Sha256.hex(data);
    entries.add(new String[] {path, Long.toString(data.length), DebWriter.md5(data), sha});
    if (o.byHash()) {
      Path byHash = file.resolveSibling("by-hash/SHA256/" + sha);
      if (!Files.exists(byHash)) {
        ArchiveFiles.link(file, byHash);
      }
    }
  }

  // --- reading a previous version ---------------------------------------------------------

  private ReleaseFile readRelease(Path prev) throws IOException {
    Path inRelease = prev.resolve(dists + "InRelease");
    if (!Files.exists(inRelease)) {
      throw new IOException("no previous archive to update: " + inRelease + " does not exist");
    }
    byte[] text =
        ClearSignedMessage.parse(Files.readAllBytes(inRelease), inRelease.toString()).signedText();
    return ReleaseParser.parse(text, inRelease.toString());
  }

  private List<GeneratedDeb> readCatalog(Path prev, ReleaseFile rel) throws IOException {
    if (!rel.components().equals(o.components())
        || !rel.architectures().equals(o.architectures())) {
      throw new IOException(
          "the previous archive has components "
              + rel.components()
              + " and architectures "
              + rel.architectures()
              + "; an update must keep them (asked for "
              + o.components()
              + " and "
              + o.architectures()
              + ")");
    }
    Map<String, GeneratedDeb> byKey = new LinkedHashMap<>();
    for (String comp : rel.components()) {
      for (String arch : rel.architectures()) {
        Path p = prev.resolve(dists + comp + "/binary-" + arch + "/Packages");
        try (InputStream in = Files.newInputStream(p)) {
          Deb822Reader r = new Deb822Reader(in, p.toString());
          Paragraph para;
          while ((para = r.next()) != null) {
            LinkedHashMap<String, String> st = new LinkedHashMap<>();
            for (Deb822Field f : para.fields()) {
              st.put(f.name(), f.value());
            }
            GeneratedDeb d =
                new GeneratedDeb(comp, para.require("Package"), para.require("Architecture"), st);
            byKey.putIfAbsent(d.key(), d);
          }
        } catch (java.nio.file.NoSuchFileException e) {
          throw new IOException("the previous archive lacks " + p, e);
        }
      }
    }
    return new ArrayList<>(byKey.values());
  }
}
