package org.mirrordirector.ops.drill;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mirrordirector.ops.client.NodeClient;

/**
 * The region drill ({@code mirrorctl drill --mode region}): a director replica's region cut off
 * from the writers' quorum (its ZooKeeper observer's links to the voters severed), under apt-like
 * load through that replica, then mended.
 *
 * <p>What is measured, from the cut on (the replica's {@code /status.json} is polled every 100 ms):
 *
 * <ul>
 *   <li>last known good: until the replica says it serves from its last-known-good view;
 *   <li>failed and retried: load requests through the replica that failed after every retry, and
 *       those that needed one; gap: the longest time without a successful one;
 *   <li>caught up: from the mend until the replica follows the registry again (live) and the
 *       writers see it ready at the current snapshot;
 *   <li>writers untouched: the writer pair's epoch and active node are the same after.
 * </ul>
 */
public final class RegionDrill {
  private final NodeClient service;
  private final DrillFaults faults;
  private final DrillThresholds limits;
  private final DrillLoadPlan target;
  private final PrintWriter log;
  private final HttpClient http;

  public RegionDrill(
      NodeClient service,
      DrillFaults faults,
      DrillThresholds limits,
      DrillLoadPlan target,
      PrintWriter log) {
    this.service = service;
    this.faults = faults;
    this.limits = limits;
    this.target = target;
    this.log = log;
    this.http = DrillRequests.httpClient();
  }

  /** The replica the drill cuts off: the first ready one at the current snapshot. */
  public record Replica(String id, String region, String address) {}

  /** Why the cluster is not fit for a region drill, or nothing; the replica when it is. */
  public static Replica pick(JsonNode s, List<String> problems) {
    if (!s.path("registry").path("connected").asBoolean()) {
      problems.add("the registry (ZooKeeper) is not connected");
    }
    String current = s.path("current").path("id").asText(null);
    if (current == null) {
      problems.add("no snapshot is recorded as current");
    }
    Replica chosen = null;
    int replicas = 0;
    for (JsonNode n : s.path("nodes")) {
      if (!"REPLICA".equals(n.path("role").asText())) {
        continue;
      }
      replicas++;
      if (chosen == null
          && n.path("ready").asBoolean()
          && current != null
          && current.equals(n.path("snapshot").asText())) {
        chosen =
            new Replica(
                n.path("id").asText(), n.path("region").asText("-"), n.path("address").asText());
      }
    }
    if (replicas == 0) {
      problems.add("no director replica is registered (node.role: replica)");
    } else if (chosen == null) {
      problems.add("no replica is ready at the current snapshot");
    }
    return chosen;
  }

  public DrillReport run(double rate, Duration hold) throws Exception {
    String id = "drill-region-" + Instant.now().toString().replaceAll("[^0-9TZ]", "");
    JsonNode before = service.status();
    List<String> problems = new ArrayList<>();
    Replica r = pick(before, problems);
    if (!problems.isEmpty()) {
      throw new PreflightFailed(String.join("; ", problems));
    }
    String primary = active(before);
    long epochBefore = before.path("registry").path("epoch").asLong();
    NodeClient replica = NodeClient.of("http://" + r.address() + "/", null, null);
    DrillArchive archive = DrillArchive.read(http, replica, target);
    log(
        "%s: %s in %s cut off from the writers' quorum; %d paths through it; %.0f requests/s",
        id, r.id(), r.region(), archive.paths().size(), rate);
    DrillRequests load = new DrillRequests(http, replica, archive.paths(), rate);
    Instant started = Instant.now();
    load.start();
    Thread.sleep(2000); // steady state first
    long cut = System.nanoTime();
    load.fault(cut);
    List<String> notes = new ArrayList<>();
    notes.add(faults.act(r.id(), "cut"));
    log("%s: %s", id, notes.get(0));
    long lkg = -1;
    long until = cut + hold.toNanos();
    while (System.nanoTime() < until || (lkg < 0 && System.nanoTime() < until + hold.toNanos())) {
      if (lkg < 0 && "LAST_KNOWN_GOOD".equals(source(replica))) {
        lkg = System.nanoTime();
      }
      Thread.sleep(100);
    }
    long mended = System.nanoTime();
    notes.add(faults.act(r.id(), "restore"));
    log("%s: %s", id, notes.get(1));
    long caughtUp = -1;
    long deadline = mended + limits.rejoin().toNanos();
    JsonNode after = null;
    while (System.nanoTime() < deadline) {
      try {
        after = service.status();
        if ("LIVE".equals(source(replica)) && readyAtCurrent(after, r.id())) {
          caughtUp = System.nanoTime();
          break;
        }
      } catch (IOException notYet) {
        // the replica may still be reconnecting
      }
      Thread.sleep(100);
    }
    Thread.sleep(1000); // the load goes on a little after the catch-up
    long minimum = started.toEpochMilli() + target.duration().toMillis();
    while (System.currentTimeMillis() < minimum) {
      Thread.sleep(100);
    }
    load.stop();
    Instant finished = Instant.now();
    if (after == null) {
      after = service.status();
    }
    String primaryAfter = active(after);
    long epochAfter = after.path("registry").path("epoch").asLong();

    List<Figure> figures = new ArrayList<>();
    figures.add(
        new Figure(
            "last known good",
            lkg < 0 ? Double.NaN : (lkg - cut) / 1e9,
            " s",
            "served from it while cut off",
            lkg >= 0));
    figures.addAll(load.figures(limits));
    double up = caughtUp < 0 ? Double.NaN : (caughtUp - mended) / 1e9;
    figures.add(
        new Figure(
            "caught up",
            up,
            " s",
            "<= " + limits.rejoin().toMillis() / 1000.0 + " s",
            caughtUp >= 0));
    boolean untouched = epochAfter == epochBefore && primary.equals(primaryAfter);
    figures.add(
        new Figure(
            "writers untouched",
            untouched ? 1 : 0,
            "",
            "epoch " + epochBefore + " and " + primary + " active, before and after",
            untouched));
    return new DrillReport(
        id,
        "region",
        started,
        finished,
        primary,
        primaryAfter,
        epochBefore,
        epochAfter,
        load.done.get(),
        figures,
        notes);
  }

  private static String active(JsonNode s) {
    for (JsonNode n : s.path("nodes")) {
      if ("ACTIVE".equals(n.path("role").asText())) {
        return n.path("id").asText();
      }
    }
    return "?";
  }

  private static boolean readyAtCurrent(JsonNode s, String replica) {
    String current = s.path("current").path("id").asText(null);
    for (JsonNode n : s.path("nodes")) {
      if (replica.equals(n.path("id").asText())) {
        return n.path("ready").asBoolean()
            && current != null
            && current.equals(n.path("snapshot").asText());
      }
    }
    return false;
  }

  /** Where the replica serves from, as its own status page says; null when it does not answer. */
  private static String source(NodeClient replica) {
    try {
      return replica.status().path("registry").path("source").asText(null);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void log(String format, Object... args) {
    log.println(String.format(Locale.ROOT, format, args));
    log.flush();
  }
}
