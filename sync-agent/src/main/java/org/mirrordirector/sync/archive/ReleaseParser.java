package org.mirrordirector.sync.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Parses the text of a Release file and checks that it has what a client needs. */
public final class ReleaseParser {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

  private ReleaseParser() {}

  /**
   * @param source the file name for messages, e.g. {@code dists/bookworm/InRelease}
   * @throws ArchiveFormatException naming every missing required field, or the first bad line
   */
  public static ReleaseFile parse(byte[] text, String source) throws IOException {
    Paragraph p;
    try (Deb822Reader r = new Deb822Reader(new ByteArrayInputStream(text), source)) {
      p = r.next();
      if (p == null) {
        throw new ArchiveFormatException(source, 0, "is empty");
      }
      if (r.next() != null) {
        throw new ArchiveFormatException(source, 0, "has more than one stanza");
      }
    }
    List<String> missing = new ArrayList<>();
    for (String f : List.of("Date", "Architectures", "Components", "SHA256")) {
      if (p.get(f) == null || p.get(f).isBlank()) {
        missing.add(f);
      }
    }
    if (p.get("Suite") == null && p.get("Codename") == null) {
      missing.add("Suite or Codename");
    }
    if (!missing.isEmpty()) {
      throw new ArchiveFormatException(
          source, p.line(), "lacks the required field(s) " + String.join(", ", missing));
    }
    Instant date = date(p, "Date", source);
    Optional<Instant> validUntil =
        p.get("Valid-Until") == null
            ? Optional.empty()
            : Optional.of(date(p, "Valid-Until", source));
    List<String> archs = words(p.get("Architectures"), "Architectures", source, p.line());
    List<String> comps = new ArrayList<>();
    for (String c : words(p.get("Components"), "Components", source, p.line())) {
      // "updates/main" style components are valid; each part must be a plain name.
      for (String part : c.split("/", -1)) {
        if (!NAME.matcher(part).matches()) {
          throw new ArchiveFormatException(source, p.line(), "invalid component '" + c + "'");
        }
      }
      comps.add(c);
    }
    Map<String, IndexEntry> sha256 = hashSection(p, "SHA256", 64, source);
    // The weaker sections are not trusted, but a Release whose sections disagree on sizes was
    // not written by a sane tool; say so instead of ignoring it.
    for (String weaker : List.of("MD5Sum", "SHA1", "SHA512")) {
      if (p.get(weaker) == null) {
        continue;
      }
      int len = weaker.equals("MD5Sum") ? 32 : weaker.equals("SHA1") ? 40 : 128;
      for (IndexEntry e : hashSection(p, weaker, len, source).values()) {
        IndexEntry strong = sha256.get(e.path());
        if (strong != null && strong.size() != e.size()) {
          throw new ArchiveFormatException(
              source,
              p.line(),
              e.path()
                  + " has size "
                  + strong.size()
                  + " in SHA256 but "
                  + e.size()
                  + " in "
                  + weaker);
        }
      }
    }
    return new ReleaseFile(
        p.get("Origin"),
        p.get("Label"),
        p.get("Suite"),
        p.get("Codename"),
        p.get("Version"),
        date,
        validUntil,
        archs,
        comps,
        "yes".equalsIgnoreCase(p.get("Acquire-By-Hash")),
        p.get("No-Support-for-Architecture-all") != null
            && java.util.Arrays.asList(
                    p.get("No-Support-for-Architecture-all").trim().split("\\s+"))
                .contains("Packages"),
        sha256);
  }

  private static Instant date(Paragraph p, String field, String source)
      throws ArchiveFormatException {
    try {
      return Rfc2822Dates.parse(p.get(field));
    } catch (IllegalArgumentException e) {
      throw new ArchiveFormatException(source, p.line(), field + ": " + e.getMessage());
    }
  }

  private static List<String> words(String value, String field, String source, long line)
      throws ArchiveFormatException {
    List<String> out = new ArrayList<>();
    for (String w : value.trim().split("\\s+")) {
      if (!w.isEmpty()) {
        if (out.contains(w)) {
          throw new ArchiveFormatException(source, line, field + " lists '" + w + "' twice");
        }
        out.add(w);
      }
    }
    return out;
  }

  private static Map<String, IndexEntry> hashSection(
      Paragraph p, String field, int hexLen, String source) throws ArchiveFormatException {
    Map<String, IndexEntry> out = new LinkedHashMap<>();
    String[] lines = p.get(field).split("\n");
    for (String raw : lines) {
      String l = raw.trim();
      if (l.isEmpty()) {
        continue;
      }
      String[] parts = l.split("\\s+");
      if (parts.length != 3) {
        throw new ArchiveFormatException(
            source, p.line(), field + " line is not '<hash> <size> <path>': '" + l + "'");
      }
      String hex = parts[0].toLowerCase(java.util.Locale.ROOT);
      if (hex.length() != hexLen || !hex.chars().allMatch(ReleaseParser::isHex)) {
        throw new ArchiveFormatException(
            source, p.line(), field + " has a malformed hash for " + parts[2] + ": " + parts[0]);
      }
      long size;
      try {
        size = Long.parseLong(parts[1]);
      } catch (NumberFormatException e) {
        size = -1;
      }
      if (size < 0) {
        throw new ArchiveFormatException(
            source, p.line(), field + " has a malformed size for " + parts[2] + ": " + parts[1]);
      }
      String path = parts[2];
      String bad = PoolPaths.problem(path, false);
      if (bad != null) {
        throw new ArchiveFormatException(
            source, p.line(), field + " lists an unsafe path '" + path + "': " + bad);
      }
      if (out.put(path, new IndexEntry(path, size, hexLen == 64 ? hex : null)) != null) {
        throw new ArchiveFormatException(source, p.line(), field + " lists " + path + " twice");
      }
    }
    return out;
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
}
