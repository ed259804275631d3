package org.mirrordirector.ops.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.common.Durations;
import org.mirrordirector.ops.demo.Demo;
import org.mirrordirector.ops.demo.DemoMotion;
import org.mirrordirector.ops.drill.Drill;
import org.mirrordirector.ops.drill.DrillFaults;

/**
 * The soak's two schedules of trouble, each one thing at a time, in a random order that takes every
 * kind once per cycle (so that a short soak still meets them all): faults on the cluster, and what
 * the public mirrors do. Every fault is undone before the next one; a fault waits for the cluster
 * to be healthy again (one active node, a ready standby) before it begins.
 */
public final class SoakFaults {

  // Null against a deployment: then only the node faults run, through the fault command.
  private final Demo demo;
  private final DrillFaults nodes;
  private final NodeClient service;
  private final Duration hold;
  private final Duration publishEvery;
  private final java.io.PrintWriter log;
  private final List<FaultDone> faults = new CopyOnWriteArrayList<>();
  private final List<FaultDone> events = new CopyOnWriteArrayList<>();
  private final List<String> problems = new CopyOnWriteArrayList<>();

  /**
   * @param demo the demo, whose upstream, ZooKeeper and mirrors the soak acts on too; null against
   *     a deployment
   * @param nodes how a node is stopped, killed, paused and cut off (null: no fault on the nodes)
   */
  public SoakFaults(
      Demo demo,
      DrillFaults nodes,
      NodeClient service,
      Duration hold,
      Duration publishEvery,
      java.io.PrintWriter log) {
    this.demo = demo;
    this.nodes = nodes;
    this.service = service;
    this.hold = hold;
    this.publishEvery = publishEvery;
    this.log = log;
  }

  /**
   * The fault kinds this soak can inject: on a deployment, only the node faults (through the fault
   * command); a region cut needs a replica.
   */
  public List<SoakFault> kinds(boolean replicas) {
    List<SoakFault> k = new ArrayList<>();
    if (nodes != null) {
      k.addAll(List.of(SoakFault.GRACEFUL, SoakFault.CRASH, SoakFault.PAUSE, SoakFault.ISOLATE));
    }
    if (demo != null) {
      k.addAll(
          List.of(SoakFault.ZOOKEEPER_RESTART, SoakFault.UPSTREAM_DOWN, SoakFault.SYNC_KILLED));
    }
    if (nodes != null && replicas) {
      k.add(SoakFault.REGION_CUT);
    }
    return k;
  }

  /** Runs faults until {@code until} (nanoTime), one every {@code every} or so. */
  public void faults(long until, Duration every, Random random, List<SoakFault> kinds)
      throws InterruptedException {
    if (kinds.isEmpty()) {
      return;
    }
    List<SoakFault> cycle = new ArrayList<>();
    while (true) {
      if (!sleepUntil(Math.min(until, System.nanoTime() + jitter(every, random)), until)) {
        return;
      }
      SoakFault f = next(cycle, kinds, random);
      String why = unhealthy(Duration.ofSeconds(90));
      if (why != null) {
        problems.add("before " + name(f) + ": the cluster was not healthy within 90 s: " + why);
        continue;
      }
      long t0 = System.currentTimeMillis();
      String target = "?";
      String note;
      try {
        target = f == SoakFault.ZOOKEEPER_RESTART || f == SoakFault.UPSTREAM_DOWN ? "-" : target(f);
        note = inject(f, target);
      } catch (Exception e) {
        note = "failed: " + e;
        problems.add(name(f) + " on " + target + " " + note);
      }
      faults.add(new FaultDone(name(f), target, t0, System.currentTimeMillis(), note));
      say("fault %s on %s: %s", name(f), target, note);
    }
  }

  /** Runs mirror events until {@code until}, one every {@code every} or so. */
  public void mirrorEvents(
      long until, Duration every, Random random, java.util.Set<MirrorEvent> kinds)
      throws InterruptedException {
    if (demo == null || kinds.isEmpty()) {
      return; // a deployment's mirrors are not the soak's to break
    }
    DemoMotion motion = demo.motion();
    List<String> mirrors = new ArrayList<>(motion.following());
    Collections.sort(mirrors);
    List<MirrorEvent> cycle = new ArrayList<>();
    while (true) {
      if (!sleepUntil(Math.min(until, System.nanoTime() + jitter(every, random)), until)) {
        return;
      }
      // In the enum's order before the shuffle (a set's order is not fixed): a seed replays it.
      MirrorEvent e =
          next(
              cycle,
              java.util.Arrays.stream(MirrorEvent.values()).filter(kinds::contains).toList(),
              random);
      String m = mirrors.get(random.nextInt(mirrors.size()));
      long t0 = System.currentTimeMillis();
      String note;
      try {
        note = happen(e, m);
      } catch (Exception x) {
        note = "failed: " + x;
        problems.add(name(e) + " of mirror-" + m + " " + note);
      }
      events.add(new FaultDone(name(e), "mirror-" + m, t0, System.currentTimeMillis(), note));
      say("mirror %s of mirror-%s: %s", name(e), m, note);
    }
  }

  private String inject(SoakFault f, String node) throws Exception {
    switch (f) {
      case GRACEFUL -> {
        String a = nodes.act(node, "term");
        return a + "; " + nodes.act(node, "start");
      }
      case CRASH -> {
        String a = nodes.act(node, "kill");
        return a + "; " + nodes.act(node, "start");
      }
      case PAUSE -> {
        String a = nodes.act(node, "stop");
        try {
          Thread.sleep(hold.toMillis());
        } finally {
          a += "; " + nodes.act(node, "cont");
        }
        return a + " (" + Durations.format(hold) + ")";
      }
      case ISOLATE, REGION_CUT -> {
        String a = nodes.act(node, "cut");
        try {
          Thread.sleep(hold.toMillis());
        } finally {
          a += "; " + nodes.act(node, "restore");
        }
        return a + " (" + Durations.format(hold) + ")";
      }
      case ZOOKEEPER_RESTART -> {
        demo.restartZooKeeper(Duration.ofSeconds(2));
        return "down for 2 s, serving again";
      }
      case UPSTREAM_DOWN -> {
        // Long enough that a publication happens while it is down.
        Duration down = publishEvery.plus(hold);
        demo.upstreamDown();
        try {
          Thread.sleep(down.toMillis());
        } finally {
          demo.upstreamUp();
        }
        return "down for " + Durations.format(down);
      }
      case SYNC_KILLED -> {
        boolean mid = demo.killMidSync(node, publishEvery.plus(Duration.ofSeconds(35)));
        demo.startNode(node);
        return (mid ? "killed while its rsync ran" : "killed (no sync began in time)")
            + ", started again";
      }
    }
    throw new IllegalStateException(f.name());
  }

  private String happen(MirrorEvent e, String m) throws Exception {
    DemoMotion motion = demo.motion();
    switch (e) {
      case LAG -> {
        Duration d = publishEvery.multipliedBy(3).dividedBy(2);
        motion.hold(m);
        try {
          Thread.sleep(d.toMillis());
        } finally {
          motion.release(m);
        }
        return "copied nothing for " + Durations.format(d) + ", then caught up";
      }
      case BREAK -> {
        // Right after a publication, so that there is a new version to half-copy.
        int before = motion.published().size();
        long deadline = System.nanoTime() + publishEvery.multipliedBy(2).toNanos();
        while (motion.published().size() == before && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        motion.breakCopy(m);
        try {
          Thread.sleep(publishEvery.toMillis());
        } finally {
          motion.release(m);
        }
        return "new indexes over its old pool for " + Durations.format(publishEvery) + ", mended";
      }
      case DROP -> {
        Duration d = hold.multipliedBy(2);
        demo.dropMirror(m);
        try {
          Thread.sleep(d.toMillis());
        } finally {
          demo.returnMirror(m);
        }
        return "refused connections for " + Durations.format(d) + ", back";
      }
      case DRAIN -> {
        Duration d = hold.multipliedBy(2);
        admin("/admin/mirrors/mirror-" + m + "/drain");
        try {
          Thread.sleep(d.toMillis());
        } finally {
          admin("/admin/mirrors/mirror-" + m + "/enable");
        }
        return "drained for " + Durations.format(d) + ", enabled";
      }
    }
    throw new IllegalStateException(e.name());
  }

  private void admin(String path) throws IOException, InterruptedException {
    // The service may be switching over: a few tries.
    IOException last = null;
    for (int i = 0; i < 20; i++) {
      try {
        var r = service.admin("POST", path, "");
        if (r.statusCode() == 200) {
          return;
        }
        last = new IOException(path + ": " + r.statusCode() + " " + r.body().strip());
      } catch (IOException x) {
        last = x;
      }
      Thread.sleep(500);
    }
    throw last;
  }

  /** The node a fault acts on: the active one, or for a region cut the first replica. */
  private String target(SoakFault f) throws IOException, InterruptedException {
    String role = f == SoakFault.REGION_CUT ? "REPLICA" : "ACTIVE";
    for (JsonNode n : service.status().path("nodes")) {
      if (role.equals(n.path("role").asText())) {
        return n.path("id").asText();
      }
    }
    throw new IOException("no node is " + role);
  }

  /** Why the cluster is not fit for the next fault after {@code within}, or null once it is. */
  public String unhealthy(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    String why = null;
    while (System.nanoTime() < deadline) {
      try {
        List<String> p = Drill.preflight(service.status());
        if (p.isEmpty()) {
          return null;
        }
        why = String.join("; ", p);
      } catch (IOException e) {
        why = e.getMessage();
      }
      Thread.sleep(250);
    }
    return why;
  }

  /**
   * The next kind: each of {@code kinds} once per cycle, in an order shuffled anew for each cycle,
   * so that a short soak still meets every kind.
   */
  public static <T> T next(List<T> cycle, List<T> kinds, Random random) {
    if (cycle.isEmpty()) {
      cycle.addAll(kinds);
      Collections.shuffle(cycle, random);
    }
    return cycle.remove(0);
  }

  private static boolean sleepUntil(long at, long until) throws InterruptedException {
    long ms = TimeUnit.NANOSECONDS.toMillis(at - System.nanoTime());
    if (ms > 0) {
      Thread.sleep(ms);
    }
    return System.nanoTime() < until;
  }

  private static long jitter(Duration every, Random random) {
    return (long) (every.toNanos() * (0.75 + random.nextDouble() / 2));
  }

  public static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public List<FaultDone> faults() {
    return List.copyOf(faults);
  }

  public List<FaultDone> events() {
    return List.copyOf(events);
  }

  /** Faults that could not be injected, or a cluster that did not heal between them. */
  /** A problem met outside a fault's own injection (the thread that runs them ended). */
  public void problem(String what) {
    problems.add(what);
  }

  public List<String> problems() {
    return List.copyOf(problems);
  }

  private void say(String format, Object... args) {
    synchronized (log) {
      log.println("soak: " + String.format(Locale.ROOT, format, args));
      log.flush();
    }
  }
}
