package org.mirrordirector.sync.archive;

/**
 * One thing wrong with an archive: what kind, which file, and what was expected against what was
 * found (either may be null when it does not apply).
 */
public record Problem(
    ProblemKind kind, String file, String message, String expected, String found) {

  public static Problem of(ProblemKind kind, String file, String message) {
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
