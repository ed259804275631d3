package org.mirrordirector.failover;

import java.util.List;

/** Ends a process that ran past its time, and everything it started. */
public final class ProcessTree {
  private ProcessTree() {}

  /**
   * Kills {@code root} first and then the processes below it, as they were just before: a script
   * whose child is killed first goes on to its next command in the moment before its own kill (a
   * hook's next step, a line of output after the limit).
   */
  public static void kill(ProcessHandle root) {
    List<ProcessHandle> below = root.descendants().toList();
    root.destroyForcibly();
    below.forEach(ProcessHandle::destroyForcibly);
  }
}
