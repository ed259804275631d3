package org.mirrordirector.ops.drill;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mirrordirector.ops.client.NodeClient;

/**
 * The failover drill: preflight, apt-like load through the service address, one fault on the
 * primary, the figures, the verdict against thresholds, the cluster restored to two healthy nodes.
 *
 * <p>What is measured, from the fault on (every node's {@code /leader} is polled every 50 ms):
 *
 * <ul>
 *   <li>detection: until the old primary stops answering 200 on {@code /leader} (it answers 503
 *       once it has left, or cannot answer);
 *   <li>promotion: until the standby answers 200 on {@code /leader};
 *   <li>switch: until the service address's {@code /leader} answers 200 again (the load balancer
 *       sends clients to the new primary);
 *   <li>gap: the longest time without a successful load request;
 *   <li>failed and retried: load requests that failed after every retry, and those that needed one;
 *   <li>overlap: time during which both nodes answered 200 on {@code /leader};
 *   <li>rejoin: until the old primary is back as a ready standby.
 * </ul>
 */
public final class Drill {

  private final NodeClient service;
  private final DrillFaults faults;
  private final DrillThresholds limits;
  private final PrintWriter log;
  private final HttpClient http = DrillRequests.httpClient();

  private final DrillLoadPlan target;

  public Drill(
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
  }

  /**
   * Runs one drill.
   *
   * @param rate apt-like requests per second through the service address
   * @param hold how long a pause or a cut lasts (longer than the session timeout)
   */
  public DrillReport run(DrillMode mode, double rate, Duration hold) throws Exception {
    if (!DrillMode.failovers().contains(mode)) {
      throw new IllegalArgumentException(mode + " does not fail the primary over: see RegionDrill");
    }
    String id =
        "drill-"
            + mode.name().toLowerCase(Locale.ROOT)
            + "-"
            + Instant.now().toString().replaceAll("[^0-9TZ]", "");
    // Preflight: one active node, a ready standby at its snapshot, the registry connected.
    JsonNode before = service.status();
    List<String> problems = preflight(before);
    if (!problems.isEmpty()) {
      throw new PreflightFailed(String.join("; ", problems));
    }
    String primary = null;
    String standby = null;
    Map<String, String> addresses = new LinkedHashMap<>();
    for (JsonNode n : before.path("nodes")) {
      addresses.put(n.path("id").asText(), n.path("address").asText());
      if ("ACTIVE".equals(n.path("role").asText())) {
        primary = n.path("id").asText();
      } else if ("STANDBY".equals(n.path("role").asText())) {
        standby = n.path("id").asText();
      }
    }
    long epochBefore = before.path("registry").path("epoch").asLong();
    DrillArchive archive = DrillArchive.read(http, service, target);
    List<String> paths = archive.paths();
    log(
        "%s: %s is primary (epoch %d), %s the hot spare; %d paths; %.0f requests/s",
        id, primary, epochBefore, standby, paths.size(), rate);

    DrillRequests load = new DrillRequests(http, service, paths, rate);
    AptLoop apt = target.aptKeyring() == null ? null : new AptLoop(service, target, archive);
    DrillPoller poll = new DrillPoller(http, service, addresses, primary, standby);
    Instant started = Instant.now();
    load.start();
    poll.start();
    if (apt != null) {
      apt.start();
    }
    Thread.sleep(2000); // steady state first
    long fault = System.nanoTime();
    poll.fault(fault);
    load.fault(fault);
    List<String> notes = new ArrayList<>();
    switch (mode) {
      case GRACEFUL -> notes.add(faults.act(primary, "term"));
      case CRASH -> notes.add(faults.act(primary, "kill"));
      case PAUSE -> notes.add(faults.act(primary, "stop"));
      case ISOLATE -> notes.add(faults.act(primary, "cut"));
      default -> throw new IllegalStateException();
    }
    log("%s: fault injected: %s", id, notes.get(0));
    // Until promotion, and at least the hold for pause and isolate.
    long deadline = fault + limits.promotion().multipliedBy(2).toNanos();
    while (poll.promoted < 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    if (mode == DrillMode.PAUSE || mode == DrillMode.ISOLATE) {
      long until = fault + hold.toNanos();
      while (System.nanoTime() < until) {
        Thread.sleep(50);
      }
    }
    switch (mode) {
      case GRACEFUL, CRASH -> notes.add(faults.act(primary, "start"));
      case PAUSE -> notes.add(faults.act(primary, "cont"));
      case ISOLATE -> notes.add(faults.act(primary, "restore"));
      default -> throw new IllegalStateException();
    }
    log("%s: restored: %s", id, notes.get(1));
    // Until the old primary is back as a ready standby, and the switch is seen.
    long rejoined = -1;
    long rejoinDeadline = fault + limits.rejoin().toNanos();
    JsonNode after = null;
    while (System.nanoTime() < rejoinDeadline) {
      try {
        after = service.status();
        if (isReadyStandby(after, primary) && poll.switched >= 0) {
          rejoined = System.nanoTime();
          break;
        }
      } catch (IOException notYet) {
        // the service may be switching
      }
      Thread.sleep(200);
    }
    Thread.sleep(1000); // the load goes on a little after the rejoin
    long minimum = started.toEpochMilli() + target.duration().toMillis();
    while (System.currentTimeMillis() < minimum) {
      Thread.sleep(100);
    }
    load.stop();
    poll.stop();
    if (apt != null) {
      apt.stop();
    }
    Instant finished = Instant.now();
    if (after == null) {
      after = service.status();
    }
    String primaryAfter = "?";
    int active = 0;
    for (JsonNode n : after.path("nodes")) {
      if ("ACTIVE".equals(n.path("role").asText())) {
        primaryAfter = n.path("id").asText();
        active++;
      }
    }
    long epochAfter = after.path("registry").path("epoch").asLong();

    List<Figure> figures = new ArrayList<>();
    figures.add(time("detection", poll.detected, fault, null));
    figures.add(time("promotion", poll.promoted, fault, limits.promotion()));
    figures.add(time("switch", poll.switched, fault, limits.switchOver()));
    figures.addAll(load.figures(limits));
    if (apt != null) {
      figures.add(
          new Figure(
              "apt failed",
              apt.failed.get(),
              "",
              "= 0 of " + apt.runs.get() + " apt-get update runs",
              apt.failed.get() == 0 && apt.runs.get() > 0));
      notes.addAll(apt.errors);
    }
    figures.add(
        new Figure("overlap", poll.overlapMillis / 1000.0, " s", "= 0", poll.overlapMillis == 0));
    figures.add(new Figure("epoch", epochAfter, "", "> " + epochBefore, epochAfter > epochBefore));
    figures.add(time("rejoin", rejoined, fault, limits.rejoin()));
    figures.add(new Figure("active nodes", active, "", "= 1", active == 1));
    figures.add(
        new Figure(
            "new primary",
            primaryAfter.equals(standby) ? 1 : 0,
            "",
            "the standby (" + standby + ")",
            primaryAfter.equals(standby)));
    return new DrillReport(
        id,
        mode.name().toLowerCase(Locale.ROOT),
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

  /** Why the cluster is not fit for a drill, or nothing. */
  public static List<String> preflight(JsonNode s) {
    List<String> p = new ArrayList<>();
    if (!s.path("registry").path("connected").asBoolean()) {
      p.add("the registry (ZooKeeper) is not connected");
    }
    String current = s.path("current").path("id").asText(null);
    if (current == null) {
      p.add("no snapshot is recorded as current");
    }
    int active = 0;
    int standbys = 0;
    for (JsonNode n : s.path("nodes")) {
      String id = n.path("id").asText();
      if ("REPLICA".equals(n.path("role").asText())) {
        continue; // a replica writes its znode on change only, and takes no part in a failover
      }
      if ("ACTIVE".equals(n.path("role").asText())) {
        active++;
      } else if ("STANDBY".equals(n.path("role").asText())) {
        standbys++;
        if (!n.path("ready").asBoolean()) {
          p.add("the standby " + id + " is not ready");
        } else if (current != null && !current.equals(n.path("snapshot").asText())) {
          p.add(
              "the standby "
                  + id
                  + " is at "
                  + n.path("snapshot").asText("no snapshot")
                  + ", not at the primary's "
                  + current);
        }
      }
      if (n.path("heartbeatAgeMillis").asLong() > 10_000) {
        p.add(
            "node "
                + id
                + " has not reported for "
                + n.path("heartbeatAgeMillis").asLong() / 1000
                + " s");
      }
    }
    if (active != 1) {
      p.add(active + " active nodes, not exactly one");
    }
    if (standbys != 1) {
      p.add(standbys + " standby nodes: the drill needs one hot spare");
    }
    return p;
  }

  private static boolean isReadyStandby(JsonNode s, String node) {
    for (JsonNode n : s.path("nodes")) {
      if (node.equals(n.path("id").asText())) {
        return "STANDBY".equals(n.path("role").asText())
            && n.path("ready").asBoolean()
            && n.path("heartbeatAgeMillis").asLong() < 5000;
      }
    }
    return false;
  }

  private static Figure time(String name, long at, long fault, Duration limit) {
    double s = at < 0 ? Double.NaN : (at - fault) / 1e9;
    boolean pass = at >= 0 && (limit == null || s <= limit.toMillis() / 1000.0);
    return new Figure(
        name, s, " s", limit == null ? "observed" : "<= " + limit.toMillis() / 1000.0 + " s", pass);
  }

  private void log(String format, Object... args) {
    log.println(String.format(Locale.ROOT, format, args));
    log.flush();
  }
}
