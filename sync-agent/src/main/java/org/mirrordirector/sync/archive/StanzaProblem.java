package org.mirrordirector.sync.archive;

/**
 * A stanza that is well-formed deb822 but breaks the index rules (a missing field, an unsafe
 * Filename, a malformed hash). The parser reports it and goes on, so one bad stanza does not hide
 * the others.
 */
public record StanzaProblem(String file, long line, String message) {
  @Override
  public String toString() {
    return file + ":" + line + ": " + message;
  }
}
