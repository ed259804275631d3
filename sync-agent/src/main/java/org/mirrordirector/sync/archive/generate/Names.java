package org.mirrordirector.sync.archive.generate;

import java.util.Random;
import java.util.Set;

/** Package names, sections and descriptions that look like Debian's, from a seeded random. */
final class Names {
  private Names() {}

  static final String[] SYLLABLES = {
    "ab", "ac", "al", "am", "an", "ar", "ba", "be", "bi", "bo", "ca", "ce", "co", "cu", "da",
    "de", "di", "do", "el", "en", "er", "fa", "fe", "fi", "fo", "ga", "ge", "gi", "go", "ha",
    "he", "hi", "ho", "il", "in", "ir", "ja", "jo", "ka", "ke", "ki", "ko", "la", "le", "li",
    "lo", "lu", "ma", "me", "mi", "mo", "mu", "na", "ne", "ni", "no", "nu", "ol", "on", "or",
    "pa", "pe", "pi", "po", "qu", "ra", "re", "ri", "ro", "ru", "sa", "se", "si", "so", "su",
    "ta", "te", "ti", "to", "tu", "un", "ur", "va", "ve", "vi", "vo", "wa", "we", "xa", "ya",
    "yo", "za", "ze", "zo"
  };
  static final String[] SUFFIXES = {
    "", "", "", "", "-utils", "-dev", "-common", "-data", "-doc", "-bin"
  };
  static final String[] SECTIONS = {
    "admin",
    "libs",
    "utils",
    "net",
    "devel",
    "python",
    "doc",
    "games",
    "misc",
    "x11",
    "web",
    "sound",
    "graphics",
    "text",
    "science",
    "editors",
    "mail",
    "database"
  };
  static final String[] WORDS = {
    "the",
    "a",
    "for",
    "and",
    "with",
    "tool",
    "library",
    "support",
    "files",
    "data",
    "runtime",
    "small",
    "fast",
    "portable",
    "network",
    "system",
    "service",
    "plugin",
    "format",
    "user",
    "package",
    "provides",
    "contains",
    "shared",
    "development",
    "headers",
    "documentation",
    "command",
    "line",
    "interface",
    "graphical",
    "server",
    "client",
    "module",
    "extension"
  };

  static String newName(Random rnd, Set<String> used) {
    while (true) {
      StringBuilder sb = new StringBuilder();
      if (rnd.nextInt(4) == 0) {
        sb.append("lib");
      }
      int n = 2 + rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        sb.append(SYLLABLES[rnd.nextInt(SYLLABLES.length)]);
      }
      if (sb.toString().startsWith("lib") && rnd.nextBoolean()) {
        sb.append(rnd.nextInt(9) + 1);
      }
      sb.append(SUFFIXES[rnd.nextInt(SUFFIXES.length)]);
      String name = sb.toString();
      if (used.add(name)) {
        return name;
      }
    }
  }

  static String description(Random rnd, String name) {
    StringBuilder sb = new StringBuilder();
    sb.append(name).append(" - ").append(words(rnd, 3 + rnd.nextInt(5)));
    // About 600 bytes on average, so that 60,000 stanzas weigh the ~70 MB of a real suite.
    int paragraphs = 1 + rnd.nextInt(3);
    for (int p = 0; p < paragraphs; p++) {
      if (p > 0) {
        sb.append("\n.");
      }
      int lines = 3 + rnd.nextInt(5);
      for (int l = 0; l < lines; l++) {
        String w = words(rnd, 8 + rnd.nextInt(5));
        sb.append("\n")
            .append(Character.toUpperCase(w.charAt(0)))
            .append(w.substring(1))
            .append('.');
      }
    }
    return sb.toString();
  }

  static String words(Random rnd, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(WORDS[rnd.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }
}
