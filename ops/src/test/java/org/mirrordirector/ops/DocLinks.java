package org.mirrordirector.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The links of a Markdown file that point into the same tree ({@code [text](docs/design.md)},
 * {@code [text](#a-heading)}, {@code [text](design.md#the-picture)}): each must name a file that
 * exists there and, with a {@code #}, a heading of it (as GitHub makes their anchors). Links with a
 * scheme (https:, mailto:) are not followed.
 */
public final class DocLinks {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$", Pattern.MULTILINE);

  private DocLinks() {}

  /** What is wrong with the links of {@code file}: one line per broken link, empty when none. */
  public static List<String> broken(Path file) throws IOException {
    List<String> problems = new ArrayList<>();
    String text = withoutCode(Files.readString(file));
    Matcher m = LINK.matcher(text);
    while (m.find()) {
      String target = m.group(1);
      if (target.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
        continue;
      }
      int hash = target.indexOf('#');
      String path = hash < 0 ? target : target.substring(0, hash);
      Path to = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
      if (!Files.exists(to)) {
        problems.add(file + ": " + target + ": no such file " + to);
        continue;
      }
      if (hash >= 0) {
        String anchor = target.substring(hash + 1);
        if (Files.isDirectory(to) || !anchors(to).contains(anchor)) {
          problems.add(file + ": " + target + ": no heading #" + anchor + " in " + to);
        }
      }
    }
    return problems;
  }

  /** GitHub's anchors of a file's headings. */
  static Set<String> anchors(Path file) throws IOException {
    Set<String> out = new HashSet<>();
    Matcher h = HEADING.matcher(withoutCode(Files.readString(file)));
    while (h.find()) {
      String slug =
          h.group(1)
              .strip()
              .toLowerCase(Locale.ROOT)
              .replaceAll("[^\\p{L}\\p{N} _-]", "")
              .replace(' ', '-');
      String s = slug;
      for (int i = 1; !out.add(s); i++) {
        s = slug + "-" + i;
      }
    }
    return out;
  }

  /** The text without its fenced code blocks, where a # or ]( is not Markdown. */
  private static String withoutCode(String text) {
    return text.replaceAll("(?ms)^```.*?^```", "");
  }
}
