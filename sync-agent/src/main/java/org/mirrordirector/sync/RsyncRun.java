package org.mirrordirector.sync;

import java.time.Duration;
import java.util.List;

/** What one rsync run did: its exit code, the files it received, and its last lines. */
record RsyncRun(
    int exitCode,
    List<String> received,
    List<String> deleted,
    List<String> tail,
    Duration elapsed) {
  /** 0 is success; 24 (source files vanished during the transfer) is harmless for a mirror. */
  boolean ok() {
    return exitCode == 0 || exitCode == 24;
  }

  String describe() {
    return "rsync exited "
        + exitCode
        + " ("
        + meaning(exitCode)
        + ")"
        + (tail.isEmpty() ? "" : ": " + String.join(" | ", tail));
  }

  static String meaning(int code) {
    return switch (code) {
      case 0 -> "success";
      case 5 -> "error starting the client-server protocol";
      case 10 -> "error in socket I/O";
      case 11 -> "error in file I/O";
      case 12 -> "error in the rsync protocol data stream";
      case 20 -> "killed by a signal";
      case 23 -> "partial transfer due to error";
      case 24 -> "partial transfer due to vanished source files";
      case 30 -> "timeout in data send/receive";
      case 35 -> "timeout waiting for the daemon connection";
      default -> "see man rsync";
    };
  }
}
