package org.mirrordirector.ops.cli;

/** A command line that parses but asks for something impossible; exit code 2. */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
