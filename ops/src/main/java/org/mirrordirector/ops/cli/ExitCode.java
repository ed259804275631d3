package org.mirrordirector.ops.cli;

/**
 * mirrorctl's exit codes: 0 success, 1 the check or operation failed (an archive that does not
 * verify, a generation that could not write), 2 a usage error (bad arguments or an unusable input
 * file such as a keyring), 3 an internal error.
 */
public final class ExitCode {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int INTERNAL = 3;

  private ExitCode() {}
}
