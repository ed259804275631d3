package org.mirrordirector.ops.hosting;

/** What a command in a namespace did: its exit code (-1: killed at its time limit), its output. */
public record HostingResult(int exit, String output) {
  public boolean ok() {
    return exit == 0;
  }
}
