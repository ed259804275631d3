package org.mirrordirector.ops.demo;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.mirrordirector.ops.client.NodeClient;

/** When the demo is ready: its parts polled until they answer as a ready cluster does. */
public final class DemoReadiness {
  private DemoReadiness() {}

  /**
   * Until every mirror has been probed, the active node is ready, the hot spare is ready at the
   * current snapshot, and so is every replica; or throws naming what is missing.
   */
  public static void awaitProbed(
      NodeClient admin, int count, int replicas, Duration within, Path logs) throws Exception {
    long deadline = System.nanoTime() + Math.max(within.toNanos(), 1_000_000_000L);
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        var s = admin.status();
        int probed = 0;
        for (var m : s.path("mirrors")) {
          if (m.path("states").size() > 0) {
            probed++;
          }
        }
        // Ready for apt and for a drill: the active node ready, and the hot spare ready at the
        // current snapshot (mirrors are probed as soon as they are added, which can be before
        // the spare has copied the first snapshot).
        String current = s.path("current").path("id").asText(null);
        boolean ready = false;
        boolean spare = false;
        int replicasReady = 0;
        for (var n : s.path("nodes")) {
          if ("REPLICA".equals(n.path("role").asText())
              && n.path("ready").asBoolean()
              && current != null
              && current.equals(n.path("snapshot").asText())) {
            replicasReady++;
          }
          ready |= "ACTIVE".equals(n.path("role").asText()) && n.path("ready").asBoolean();
          spare |=
              "STANDBY".equals(n.path("role").asText())
                  && n.path("ready").asBoolean()
                  && current != null
                  && current.equals(n.path("snapshot").asText());
        }
        last =
            probed
                + " of "
                + count
                + " mirrors probed, active node "
                + (ready ? "ready" : "not ready")
                + ", hot spare "
                + (spare ? "ready" : "not ready at the current snapshot")
                + (replicas > 0
                    ? ", " + replicasReady + " of " + replicas + " replicas ready at it"
                    : "");
        if (probed == count && ready && spare && replicasReady >= replicas) {
          return;
        }
      } catch (IOException notYet) {
        last = notYet.getMessage();
      }
      Thread.sleep(250);
    }
    throw new IOException("the demo did not get ready in time: " + last + "; logs in " + logs);
  }

  /** Until the URL answers this status, or throws. */
  public static void awaitHttp(String url, int status, Duration within) throws Exception {
    awaitHttp(url, status, within, null, null);
  }

  /**
   * Until a node process's URL answers this status; throws at once, quoting the end of its log,
   * when the process exits first (a port taken between its choice and the node's bind, a bad
   * configuration), and quotes the log too when the time runs out.
   */
  public static void awaitHttp(String url, int status, Duration within, Process node, Path log)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    int got = -1;
    while (System.nanoTime() < deadline) {
      if (node != null && !node.isAlive()) {
        throw new IOException(
            "the node process for "
                + url
                + " exited ("
                + node.exitValue()
                + ") before it answered "
                + status
                + "; the end of "
                + log
                + ":\n"
                + tail(log, 40));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(1000);
        c.setReadTimeout(2000);
        got = c.getResponseCode();
        c.disconnect();
        if (got == status) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(200);
    }
    throw new IOException(
        url
            + " did not answer "
            + status
            + " in time (last: "
            + got
            + ")"
            + (log == null ? "" : "; the end of " + log + ":\n" + tail(log, 40)));
  }

  /** The last lines of a log, or why there are none. */
  static String tail(Path log, int lines) {
    try {
      java.util.List<String> all =
          java.nio.file.Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | java.io.UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
