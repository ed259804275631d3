package org.mirrordirector.ops.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.common.Durations;
import org.mirrordirector.ops.drill.Figure;

/**
 * The soak's figures, its verdict, and how the terminal, the JSON file and the registry get them.
 */
public final class SoakReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SoakReport() {}

  /** "(mirrors named here: 38151 mirror-pushed)\n" for the mirror ports apt names, or "". */
  public static String mirrorsNamed(String aptOutput, Map<Integer, String> ports) {
    StringBuilder b = new StringBuilder();
    ports.forEach(
        (port, id) -> {
          if (java.util.regex.Pattern.compile("[:\\s]" + port + "[\\]/\\s]")
              .matcher(aptOutput)
              .find()) {
            b.append(b.length() == 0 ? "" : ", ").append(port).append(' ').append(id);
          }
        });
    return b.length() == 0 ? "" : "(mirrors named here: " + b + ")\n";
  }

  public static SoakResult build(
      String id,
      Instant started,
      Instant finished,
      SoakSettings settings,
      Duration every,
      Duration freshnessBound,
      SoakClients clients,
      SoakWatch watch,
      SoakFaults faults,
      SoakFigures figures,
      List<Freshness> fresh,
      boolean demo,
      String unhealthy) {
    List<Figure> f = new ArrayList<>();
    List<ClientOperation> ops = clients.operations();
    Map<FailureCause, Integer> causes = new TreeMap<>();
    List<FailedOperation> failures = new ArrayList<>();
    MirrorDrops drops =
        new MirrorDrops(watch.mirrorPorts(), clients.directorPorts(), faults.events());
    for (ClientOperation o : ops) {
      if (!o.ok()) {
        FailureCause c = clients.cause(o);
        Optional<FaultDone> drop =
            c == FailureCause.MIRROR_UNREACHABLE ? drops.dropOf(o) : Optional.empty();
        if (drop.isPresent()) {
          c = FailureCause.MIRROR_DROPPED_OFF;
        }
        causes.merge(c, 1, Integer::sum);
        // apt names mirrors by address and port: the ids of those it names come first.
        String out =
            drop.map(d -> "(" + MirrorDrops.describe(d, o) + ")\n").orElse("")
                + mirrorsNamed(o.output(), watch.mirrorPorts())
                + o.output();
        failures.add(
            new FailedOperation(
                o.client(),
                o.kind(),
                Instant.ofEpochMilli(o.startMillis()),
                c.name(),
                out.length() > 3000 ? out.substring(0, 3000) + "..." : out));
      }
    }
    f.add(count("apt operations", ops.size(), "> 0", ops.size() > 0));
    int dropped = causes.getOrDefault(FailureCause.MIRROR_DROPPED_OFF, 0);
    int failed = failures.size() - dropped;
    f.add(count("failed", failed, "= 0 (those at a mirror that dropped off apart)", failed == 0));
    f.add(
        count(
            "failed at a mirror that dropped off",
            dropped,
            "reported, each with its drop (apt retries there, not at the director)",
            true));
    int mismatch = causes.getOrDefault(FailureCause.HASH_SUM_MISMATCH, 0);
    f.add(count("hash sum mismatches", mismatch, "= 0", mismatch == 0));
    int notFound = causes.getOrDefault(FailureCause.NOT_FOUND_AFTER_REDIRECT, 0);
    f.add(count("404 after a redirect", notFound, "= 0", notFound == 0));
    f.add(
        new Figure(
            "two active nodes",
            watch.overlapMillis() / 1000.0,
            " s",
            "= 0 (" + watch.overlaps() + " times)",
            watch.overlapMillis() == 0));
    // The demo's upstream publishes on a clock; a deployment's may not publish during a soak.
    f.add(
        count(
            "publications",
            fresh.size(),
            demo ? "> 0" : "reported (the upstream's own)",
            !demo || !fresh.isEmpty()));
    Map<String, Integer> byFault = new TreeMap<>();
    Map<String, Integer> byEvent = new TreeMap<>();
    faults.faults().forEach(d -> byFault.merge(d.kind(), 1, Integer::sum));
    faults.events().forEach(d -> byEvent.merge(d.kind(), 1, Integer::sum));
    f.add(count("faults", faults.faults().size(), "injected, by kind in the report", true));
    f.add(count("mirror events", faults.events().size(), "by kind in the report", true));
    f.add(
        count(
            "fault problems",
            faults.problems().size(),
            "= 0 (each fault injected, the cluster healthy before the next)",
            faults.problems().isEmpty()));
    f.add(
        count(
            "healthy at the end",
            unhealthy == null ? 1 : 0,
            unhealthy == null ? "one active node, a ready standby" : unhealthy,
            unhealthy == null));
    int unknown = figures.unknown(watch.current()) + figures.unknown(watch.routed());
    f.add(
        count(
            "unknown snapshots",
            unknown,
            "= 0 (every InRelease served was published)",
            unknown == 0));
    f.add(count("InRelease went back", figures.wentBack(watch.routed()), "reported", true));

    List<Long> a = new ArrayList<>();
    List<Long> b = new ArrayList<>();
    List<Long> bUp = new ArrayList<>();
    List<Long> half = new ArrayList<>();
    List<Long> all = new ArrayList<>();
    int notA = 0;
    int notB = 0;
    for (Freshness x : fresh) {
      a.add(x.snapshotMillis());
      b.add(x.routedMillis());
      bUp.add(x.routedUpMillis());
      half.add(x.halfMillis());
      all.add(x.allMillis());
      notA += x.snapshotMillis() < 0 ? 1 : 0;
      notB += x.routedMillis() < 0 ? 1 : 0;
    }
    f.add(seconds("(a) snapshot p50", SoakFigures.percentile(a, 50), "observed", true));
    f.add(seconds("(a) snapshot p99", SoakFigures.percentile(a, 99), "observed", true));
    f.add(count("(a) not reached", notA, "= 0", notA == 0));
    f.add(seconds("(b) routed p50", SoakFigures.percentile(b, 50), "observed", true));
    f.add(seconds("(b) routed p99", SoakFigures.percentile(b, 99), "observed", true));
    double bound = freshnessBound.toMillis() / 1000.0;
    double up99 = SoakFigures.percentile(bUp, 99);
    f.add(
        seconds(
            "(b) p99, upstream up",
            up99,
            "<= "
                + Figure.fmt(bound)
                + " s (sync interval + longest sync + 10 s; the upstream's outages left out)",
            fresh.isEmpty() || (!Double.isNaN(up99) && up99 <= bound)));
    f.add(count("(b) not reached", notB, "= 0", notB == 0));
    f.add(seconds("(c) half p50", SoakFigures.percentile(half, 50), "observed", true));
    f.add(seconds("(c) half p99", SoakFigures.percentile(half, 99), "observed", true));
    f.add(seconds("(c) all p50", SoakFigures.percentile(all, 50), "observed", true));
    f.add(seconds("(c) all p99", SoakFigures.percentile(all, 99), "observed", true));

    Map<String, List<String>> healths = new TreeMap<>();
    watch
        .health()
        .forEach(
            (m, seen) ->
                healths.put(m, seen.stream().map(SeenAt::what).distinct().sorted().toList()));
    List<FaultDone> timeline = new ArrayList<>(faults.faults());
    timeline.addAll(faults.events());
    timeline.sort(java.util.Comparator.comparingLong(FaultDone::startMillis));
    return new SoakResult(
        id,
        started,
        finished,
        settings,
        every,
        f,
        clients.byKind(),
        failures,
        byFault,
        byEvent,
        timeline,
        fresh,
        healths,
        Map.of(
            "current", versions(figures, watch.current()),
            "routed", versions(figures, watch.routed())),
        watch.redirectsLastFiveMinutes(),
        faults.problems());
  }

  /** Each change as "TIME vVERSION" (v? for an InRelease the upstream never published). */
  private static List<String> versions(SoakFigures figures, List<SeenAt> seen) {
    List<String> out = new ArrayList<>();
    for (SeenAt s : seen) {
      int v = figures.version(s.what());
      out.add(Instant.ofEpochMilli(s.millis()) + " v" + (v < 0 ? "? " + s.what() : v));
    }
    return out;
  }

  private static Figure count(String name, long v, String limit, boolean pass) {
    return new Figure(name, v, "", limit, pass);
  }

  private static Figure seconds(String name, double v, String limit, boolean pass) {
    return new Figure(name, v, " s", limit, pass);
  }

  /**
   * Records the soak in the registry through the admin API, for the status page (with the drills);
   * returns what the node said. A soak can end in a failover (its last fault): while no node can
   * take the record (a connection refused, a 503 from a standby that names an active node gone
   * since), it is tried again every second for up to {@code patience}; then the last refusal is
   * thrown or returned.
   */
  public static String record(NodeClient service, SoakResult r, Duration patience)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    String body = JSON.writeValueAsString(r.record());
    while (true) {
      java.net.http.HttpResponse<String> rec;
      try {
        rec = service.admin("POST", "/admin/drills", body);
      } catch (IOException e) {
        if (System.nanoTime() >= deadline) {
          throw e;
        }
        Thread.sleep(1000);
        continue;
      }
      if (rec.statusCode() == 200) {
        return rec.body().strip();
      }
      if (rec.statusCode() != 503 || System.nanoTime() >= deadline) {
        return "not recorded in the registry: " + rec.statusCode() + " " + rec.body().strip();
      }
      Thread.sleep(1000);
    }
  }

  /** {@link #record(NodeClient, SoakResult, Duration)} with a minute's patience. */
  public static String record(NodeClient service, SoakResult r)
      throws IOException, InterruptedException {
    return record(service, r, Duration.ofMinutes(1));
  }

  /** The report as the terminal shows it. */
  public static String render(SoakResult r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%s: %s to %s, apt operations %s, faults %s, mirror events %s%n",
            r.id(),
            r.started(),
            r.finished(),
            r.operations(),
            r.faults(),
            r.mirrorEvents()));
    for (Figure f : r.figures()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-4s %-21s %10s   (%s)%n",
              f.pass() ? "PASS" : "FAIL",
              f.name(),
              Figure.fmt(f.value()) + f.unit(),
              f.limit()));
    }
    for (String p : r.problems()) {
      b.append("  problem: ").append(p).append('\n');
    }
    for (FailedOperation x : r.failures()) {
      b.append("  failed: ")
          .append(x.client())
          .append(' ')
          .append(x.kind())
          .append(" at ")
          .append(x.at())
          .append(" (")
          .append(x.cause())
          .append(")\n    ")
          .append(x.output().strip().replace("\n", "\n    "))
          .append('\n');
    }
    b.append(r.passed() ? "PASS" : "FAIL").append('\n');
    return b.toString();
  }

  public static String json(SoakResult r) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("passed", r.passed());
    m.put("started", r.started().toString());
    m.put("finished", r.finished().toString());
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("duration", Durations.format(r.settings().duration()));
    s.put("publishEvery", r.publishEvery() == null ? null : Durations.format(r.publishEvery()));
    s.put("faultEvery", Durations.format(r.settings().faultEvery()));
    s.put("mirrorEvery", Durations.format(r.settings().mirrorEvery()));
    s.put("hold", Durations.format(r.settings().hold()));
    s.put("clients", r.settings().clients());
    s.put("seed", r.settings().seed());
    m.put("settings", s);
    m.put("figures", Figure.asJson(r.figures()));
    m.put("operations", r.operations());
    m.put("faults", r.faults());
    m.put("mirrorEvents", r.mirrorEvents());
    List<Map<String, Object>> fr = new ArrayList<>();
    for (Freshness x : r.freshness()) {
      Map<String, Object> y = new LinkedHashMap<>();
      y.put("version", x.version());
      y.put("snapshotMillis", x.snapshotMillis() < 0 ? null : x.snapshotMillis());
      y.put("routedMillis", x.routedMillis() < 0 ? null : x.routedMillis());
      y.put("routedUpstreamUpMillis", x.routedUpMillis() < 0 ? null : x.routedUpMillis());
      y.put("halfMirrorsMillis", x.halfMillis() < 0 ? null : x.halfMillis());
      y.put("allMirrorsMillis", x.allMillis() < 0 ? null : x.allMillis());
      fr.add(y);
    }
    m.put("freshness", fr);
    List<Map<String, Object>> tl = new ArrayList<>();
    for (FaultDone d : r.timeline()) {
      Map<String, Object> y = new LinkedHashMap<>();
      y.put("kind", d.kind());
      y.put("target", d.target());
      y.put("started", Instant.ofEpochMilli(d.startMillis()).toString());
      y.put("seconds", (d.endMillis() - d.startMillis()) / 1000.0);
      y.put("note", d.note());
      tl.add(y);
    }
    m.put("timeline", tl);
    m.put("healthsSeen", r.healthsSeen());
    m.put("versionsSeen", new TreeMap<>(r.versionsSeen()));
    m.put("redirectsLastFiveMinutes", r.redirectsLastFiveMinutes());
    List<Map<String, Object>> fl = new ArrayList<>();
    for (FailedOperation x : r.failures()) {
      Map<String, Object> y = new LinkedHashMap<>();
      y.put("client", x.client());
      y.put("operation", x.kind());
      y.put("at", x.at().toString());
      y.put("cause", x.cause());
      y.put("output", x.output());
      fl.add(y);
    }
    m.put("failures", fl);
    m.put("problems", r.problems());
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m);
  }
}
