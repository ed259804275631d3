package org.mirrordirector.sync.archive;

import java.util.List;

/**
 * One deb822 paragraph (stanza): its fields in file order and the line it starts on. Field names
 * are matched case-insensitively, as apt does. Continuation lines are joined with '\n' and keep
 * their text after the single leading space or tab.
 */
public record Paragraph(String source, long line, List<Deb822Field> fields) {

  public Paragraph {
    fields = List.copyOf(fields);
  }

  /** The value of a field, or null when the paragraph does not have it. */
  public String get(String name) {
    for (Deb822Field f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        return f.value();
      }
    }
    return null;
  }

  /** The value of a field that must be present and not empty. */
  public String require(String name) throws ArchiveFormatException {
    String v = get(name);
    if (v == null || v.isEmpty()) {
      throw new ArchiveFormatException(source, line, "stanza lacks the required field " + name);
    }
    return v;
  }
}
