package org.mirrordirector.sync;

import java.util.List;

/** What a run did: its exit code (-1 when it was killed at its limit) and its output. */
public record RunResult(int exit, String output) {
  public boolean ok() {
    return exit == 0;
  }

  /**
   * What happened, for a message: the command, its exit (or that it was killed at its limit) and
   * the last 4,000 characters of its output.
   */
  public String describe(List<String> cmd) {
    String tail =
        output.length() > 4000 ? "..." + output.substring(output.length() - 4000) : output;
    return String.join(" ", cmd)
        + (exit < 0 ? ": killed at its time limit" : ": exit " + exit)
        + "\n"
        + tail;
  }
}
