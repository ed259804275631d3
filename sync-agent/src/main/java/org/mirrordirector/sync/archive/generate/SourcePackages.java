package org.mirrordirector.sync.archive.generate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.mirrordirector.sync.archive.Sha256;

/**
 * The source packages of a generated archive, derived from its binaries: one per component, source
 * name and version, in the "3.0 (quilt)" format (a .dsc, an .orig.tar.xz shared by every revision
 * of one upstream version, a .debian.tar.xz), and their Sources stanzas. Every byte follows from
 * the names and versions, so the next version of an archive writes the very same files for
 * unchanged sources, and {@code dpkg-source -x} unpacks them.
 */
final class SourcePackages {
  private static final Instant MTIME = Instant.parse("2025-06-01T00:00:00Z");

  private SourcePackages() {}

  /** The source packages the binaries were built from, sorted by component and name. */
  static List<GeneratedSource> of(List<GeneratedDeb> debs) {
    Map<String, List<GeneratedDeb>> groups = new TreeMap<>();
    for (GeneratedDeb d : debs) {
      String source = d.stanza().getOrDefault("Source", d.name()).split(" ")[0];
      groups
          .computeIfAbsent(
              d.component() + " " + source + " " + d.stanza().get("Version"),
              k -> new ArrayList<>())
          .add(d);
    }
    List<GeneratedSource> out = new ArrayList<>();
    for (Map.Entry<String, List<GeneratedDeb>> g : groups.entrySet()) {
      String[] k = g.getKey().split(" ");
      out.add(source(k[0], k[1], k[2], g.getValue()));
    }
    return out;
  }

  private static GeneratedSource source(
      String component, String name, String version, List<GeneratedDeb> binaries) {
    binaries.sort(Comparator.comparing(GeneratedDeb::name));
    LinkedHashMap<String, String> first = binaries.get(0).stanza();
    String noEpoch = version.contains(":") ? version.substring(version.indexOf(':') + 1) : version;
    String upstream = noEpoch.substring(0, noEpoch.lastIndexOf('-'));
    String prefix =
        name.startsWith("lib") && name.length() > 3 ? name.substring(0, 4) : name.substring(0, 1);
    String directory = "pool/" + component + "/" + prefix + "/" + name;
    List<String> names = binaries.stream().map(GeneratedDeb::name).distinct().toList();
    boolean anyArch = binaries.stream().anyMatch(b -> !b.arch().equals("all"));
    boolean allArch = binaries.stream().anyMatch(b -> b.arch().equals("all"));
    String arch = anyArch && allArch ? "any all" : anyArch ? "any" : "all";
    String maintainer = first.get("Maintainer");
    String section = first.getOrDefault("Section", "misc");

    Map<String, byte[]> files = new LinkedHashMap<>();
    String orig = name + "_" + upstream + ".orig.tar.xz";
    String debian = name + "_" + noEpoch + ".debian.tar.xz";
    files.put(orig, origTar(name, upstream));
    files.put(debian, debianTar(name, version, names, binaries, maintainer, section, anyArch));

    StringBuilder pkgList = new StringBuilder();
    for (String n : names) {
      GeneratedDeb b = binaries.stream().filter(x -> x.name().equals(n)).findFirst().orElseThrow();
      pkgList
          .append(pkgList.length() == 0 ? "" : "\n")
          .append(n)
          .append(" deb ")
          .append(b.stanza().getOrDefault("Section", "misc"))
          .append(' ')
          .append(b.stanza().getOrDefault("Priority", "optional"))
          .append(" arch=")
          .append(b.arch().equals("all") ? "all" : "any");
    }
    LinkedHashMap<String, String> dsc = new LinkedHashMap<>();
    dsc.put("Format", "3.0 (quilt)");
    dsc.put("Source", name);
    dsc.put("Binary", String.join(", ", names));
    dsc.put("Architecture", arch);
    dsc.put("Version", version);
    dsc.put("Maintainer", maintainer);
    dsc.put("Homepage", "https://" + name + ".example.org/");
    dsc.put("Standards-Version", "4.6.2");
    dsc.put("Build-Depends", "debhelper-compat (= 13)");
    dsc.put("Package-List", "\n" + pkgList);
    dsc.put("Checksums-Sha1", checksums(files, "SHA-1"));
    dsc.put("Checksums-Sha256", checksums(files, "SHA-256"));
    dsc.put("Files", checksums(files, "MD5"));
    String dscName = name + "_" + noEpoch + ".dsc";
    byte[] dscBytes = deb822(dsc).getBytes(StandardCharsets.UTF_8);

    Map<String, byte[]> all = new LinkedHashMap<>();
    all.put(dscName, dscBytes);
    all.putAll(files);
    LinkedHashMap<String, String> st = new LinkedHashMap<>();
    st.put("Package", name);
    st.put("Binary", String.join(", ", names));
    st.put("Version", version);
    st.put("Maintainer", maintainer);
    st.put("Build-Depends", "debhelper-compat (= 13)");
    st.put("Architecture", arch);
    st.put("Standards-Version", "4.6.2");
    st.put("Format", "3.0 (quilt)");
    st.put("Files", checksums(all, "MD5"));
    st.put("Homepage", "https://" + name + ".example.org/");
    st.put("Package-List", "\n" + pkgList);
    st.put("Checksums-Sha256", checksums(all, "SHA-256"));
    st.put("Directory", directory);
    st.put("Priority", "source");
    st.put("Section", section);
    return new GeneratedSource(component, name, version, directory, all, st);
  }

  /**
   * Writes the source's files under {@code out}: hard links to the previous archive's when it has
   * them (the same bytes), else new files; an existing file is left alone.
   */
  static void write(Path out, Optional<Path> previous, GeneratedSource s) throws IOException {
    for (Map.Entry<String, byte[]> f : s.files().entrySet()) {
      String rel = s.directory() + "/" + f.getKey();
      Path target = out.resolve(rel);
      if (Files.exists(target)) {
        continue;
      }
      Optional<Path> old = previous.map(p -> p.resolve(rel)).filter(Files::exists);
      if (old.isPresent()) {
        ArchiveFiles.link(old.get(), target);
      } else {
        ArchiveFiles.writeAtomically(target, f.getValue());
      }
    }
  }

  /** The Sources index of one component. */
  static byte[] index(List<GeneratedSource> sources, String component) {
    StringBuilder sb = new StringBuilder();
    for (GeneratedSource s : sources) {
      if (s.component().equals(component)) {
        sb.append(deb822(s.stanza())).append('\n');
      }
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String deb822(Map<String, String> fields) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> f : fields.entrySet()) {
      sb.append(f.getKey()).append(':');
      String v = f.getValue();
      if (!v.startsWith("\n")) {
        sb.append(' ');
      }
      sb.append(v.replace("\n", "\n ")).append('\n');
    }
    return sb.toString();
  }

  private static String checksums(Map<String, byte[]> files, String algorithm) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      String hex =
          algorithm.equals("SHA-256")
              ? Sha256.hex(f.getValue())
              : HexFormat.of().formatHex(digest(algorithm, f.getValue()));
      sb.append('\n').append(hex).append(' ').append(f.getValue().length).append(' ');
      sb.append(f.getKey());
    }
    return sb.toString();
  }

  private static byte[] digest(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The upstream tarball: a README and a small program, under NAME-VERSION/. */
  private static byte[] origTar(String name, String upstream) {
    Random rnd = new Random((name + "_" + upstream).hashCode());
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(
        "README",
        (name + " " + upstream + "\n\n" + Names.description(rnd, name) + "\n")
            .getBytes(StandardCharsets.UTF_8));
    files.put(
        "src/" + name + ".c",
        ("#include <stdio.h>\n\nint main(void) {\n  puts(\""
                + name
                + " "
                + upstream
                + "\");\n  return 0;\n}\n")
            .getBytes(StandardCharsets.UTF_8));
    return tarXz(name + "-" + upstream + "/", files);
  }

  /** The packaging: debian/control, changelog, rules, copyright, source/format. */
  private static byte[] debianTar(
      String name,
      String version,
      List<String> names,
      List<GeneratedDeb> binaries,
      String maintainer,
      String section,
      boolean anyArch) {
    StringBuilder control = new StringBuilder();
    control
        .append("Source: ")
        .append(name)
        .append("\nSection: ")
        .append(section)
        .append("\nPriority: optional\nMaintainer: ")
        .append(maintainer)
        .append("\nBuild-Depends: debhelper-compat (= 13)\nStandards-Version: 4.6.2\n");
    for (String b : names) {
      GeneratedDeb d = binaries.stream().filter(x -> x.name().equals(b)).findFirst().orElseThrow();
      control
          .append("\nPackage: ")
          .append(b)
          .append("\nArchitecture: ")
          .append(d.arch().equals("all") ? "all" : anyArch ? "any" : "all")
          .append("\nDescription: ")
          .append(d.stanza().getOrDefault("Description", b).replace("\n", "\n "))
          .append('\n');
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("control", control.toString().getBytes(StandardCharsets.UTF_8));
    files.put(
        "changelog",
        (name
                + " ("
                + version
                + ") bookworm; urgency=medium\n\n  * Generated by mirrorctl archive generate.\n\n"
                + " -- "
                + maintainer
                + "  Sun, 01 Jun 2025 00:00:00 +0000\n")
            .getBytes(StandardCharsets.UTF_8));
    files.put("rules", "#!/usr/bin/make -f\n%:\n\tdh $@\n".getBytes(StandardCharsets.UTF_8));
    files.put(
        "copyright",
        "Files: *\nCopyright: generated for tests\nLicense: public-domain\n"
            .getBytes(StandardCharsets.UTF_8));
    files.put("source/format", "3.0 (quilt)\n".getBytes(StandardCharsets.UTF_8));
    return tarXz("debian/", files);
  }

  private static byte[] tarXz(String top, Map<String, byte[]> files) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bos)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      List<String> dirs = new ArrayList<>();
      dirs.add(top);
      for (String f : files.keySet()) {
        int slash = f.lastIndexOf('/');
        if (slash > 0 && !dirs.contains(top + f.substring(0, slash + 1))) {
          dirs.add(top + f.substring(0, slash + 1));
        }
      }
      for (String d : dirs) {
        TarArchiveEntry e = new TarArchiveEntry(d);
        e.setMode(040755);
        e.setModTime(MTIME.toEpochMilli());
        e.setUserName("root");
        e.setGroupName("root");
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
      }
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        TarArchiveEntry e = new TarArchiveEntry(top + f.getKey());
        e.setSize(f.getValue().length);
        e.setMode(f.getKey().equals("rules") ? 0100755 : 0100644);
        e.setModTime(MTIME.toEpochMilli());
        e.setUserName("root");
        e.setGroupName("root");
        tar.putArchiveEntry(e);
        tar.write(f.getValue());
        tar.closeArchiveEntry();
      }
      tar.finish();
      // The fastest preset: a few generated text files, whose size no one measures.
      return ArchiveFiles.xz(bos.toByteArray(), 0);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
