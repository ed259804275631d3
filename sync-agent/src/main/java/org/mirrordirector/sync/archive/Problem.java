package org.mirrordirector.sync.archive;

/**
 * One thing wrong with an archive: what kind, which file, and what was expected against what was
 * found (either may be null when it does not apply).
 */
public record Problem(Kind kind, String file, String message, String expected, String found) {

  /** The check that found the problem, in the order the verifier runs them. */
  public enum Kind {
    SIGNATURE,
    RELEASE,
    INDEX,
    STANZA,
    BY_HASH,
    POOL,
    FETCH
  }

  public static Problem of(Kind kind, String file, String message) {
    return new Problem(kind, file, message, null, null);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(kind).append(' ').append(file).append(": ").append(message);
    if (expected != null || found != null) {
      sb.append(" (expected ").append(expected).append(", found ").append(found).append(')');
    }
    return sb.toString();
  }
}
