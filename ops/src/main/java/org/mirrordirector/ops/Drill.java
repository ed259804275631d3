package org.mirrordirector.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.mirrordirector.failover.Payloads.DrillRecord;

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
  /** What the drill does to the primary. */
  public enum Mode {
    /** SIGTERM: the node leaves the leadership, drains, exits; started again. */
    GRACEFUL,
    /** SIGKILL; started again. */
    CRASH,
    /** SIGSTOP for longer than the session timeout, then SIGCONT. */
    PAUSE,
    /** Its ZooKeeper link cut (it still answers clients) for longer than the session timeout. */
    ISOLATE
  }

  /** How the drill reaches the primary's process and its ZooKeeper link. */
  public interface Faults {
    /** Runs a fault action (term, kill, stop, cont, cut, restore, start) on a node. */
    String act(String node, String action) throws IOException, InterruptedException;
  }

  /** The limits of a PASS. */
  public record Thresholds(
      Duration promotion, Duration switchOver, Duration gap, Duration rejoin, int failed) {
    /**
     * For a 4 s session timeout: promotion 10 s, switch 12 s, gap 12 s, rejoin 60 s, no failure.
     */
    public static Thresholds defaults() {
      return new Thresholds(
          Duration.ofSeconds(10),
          Duration.ofSeconds(12),
          Duration.ofSeconds(12),
          Duration.ofSeconds(60),
          0);
    }
  }

  /** One figure and its verdict. */
  public record Figure(String name, double value, String unit, String limit, boolean pass) {}

  /** The drill's result; {@link #passed()} when every figure passed. */
  public record Report(
      String id,
      String mode,
      Instant started,
      Instant finished,
      String primaryBefore,
      String primaryAfter,
      long epochBefore,
      long epochAfter,
      int requests,
      List<Figure> figures,
      List<String> notes) {
    public boolean passed() {
      return figures.stream().allMatch(Figure::pass);
    }

    public Map<String, Double> values() {
      Map<String, Double> m = new LinkedHashMap<>();
      for (Figure f : figures) {
        m.put(f.name(), f.value());
      }
      return m;
    }

    public DrillRecord record() {
      String summary =
          (passed() ? "PASS" : "FAIL")
              + ": "
              + primaryBefore
              + " -> "
              + primaryAfter
              + ", "
              + String.join(
                  ", ",
                  figures.stream()
                      .map(
                          f ->
                              f.name()
                                  + " "
                                  + fmt(f.value())
                                  + f.unit()
                                  + (f.pass() ? "" : " (FAIL)"))
                      .toList());
      return new DrillRecord(
          id, mode, passed(), started.toEpochMilli(), finished.toEpochMilli(), values(), summary);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final NodeClient service;
  private final Faults faults;
  private final Thresholds limits;
  private final PrintWriter log;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(1))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /**
   * Where the drill's load goes.
   *
   * @param root the archive's path on the director, like {@code /raspbian/}
   * @param suite the suite whose InRelease and packages are requested
   * @param aptKeyring when not null, a real {@code apt-get update} loop runs too, trusting this
   *     keyring
   * @param duration the load runs at least this long (the drill may need longer)
   */
  public record Load(String root, String suite, Path aptKeyring, Duration duration) {
    public Load {
      if (!root.matches("/([A-Za-z0-9._-]+/)*")) {
        throw new IllegalArgumentException("the root must look like /raspbian/: '" + root + "'");
      }
      if (!suite.matches("[A-Za-z0-9][A-Za-z0-9.+_-]*")) {
        throw new IllegalArgumentException("'" + suite + "' is not a suite name");
      }
    }
  }

  private final Load target;

  public Drill(NodeClient service, Faults faults, Thresholds limits, Load target, PrintWriter log) {
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
  public Report run(Mode mode, double rate, Duration hold) throws Exception {
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
      } else {
        standby = n.path("id").asText();
      }
    }
    long epochBefore = before.path("registry").path("epoch").asLong();
    Archive archive = archive();
    List<String> paths = archive.paths();
    log(
        "%s: %s is primary (epoch %d), %s the hot spare; %d paths; %.0f requests/s",
        id, primary, epochBefore, standby, paths.size(), rate);

    Requests load = new Requests(paths, rate);
    AptLoop apt = target.aptKeyring() == null ? null : new AptLoop(archive);
    Poller poll = new Poller(addresses, primary, standby);
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
    if (mode == Mode.PAUSE || mode == Mode.ISOLATE) {
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
    figures.add(
        new Figure(
            "gap",
            load.gapMillis() / 1000.0,
            " s",
            "<= " + limits.gap().toMillis() / 1000.0 + " s",
            load.gapMillis() <= limits.gap().toMillis()));
    figures.add(
        new Figure(
            "failed",
            load.failed.get(),
            "",
            "<= " + limits.failed(),
            load.failed.get() <= limits.failed()));
    figures.add(new Figure("retried", load.retried.get(), "", "reported", true));
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
    return new Report(
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
  static List<String> preflight(JsonNode s) {
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

  /** What the drill knows of the archive, read through the service like apt would. */
  record Archive(List<String> paths, String architecture, List<String> components) {}

  /**
   * The suite's InRelease, the architecture and components it names, and up to 40 pool files of its
   * first Packages index (uncompressed, .xz or .gz).
   */
  Archive archive() throws IOException, InterruptedException {
    String root = target.root().substring(1);
    String dists = root + "dists/" + target.suite() + "/";
    String inRelease =
        new String(fetchBytes(service.base().resolve(dists + "InRelease")), StandardCharsets.UTF_8);
    String arch = null;
    List<String> components = new ArrayList<>();
    List<String> indexes = new ArrayList<>();
    boolean inSha256 = false;
    for (String l : inRelease.split("\n")) {
      if (l.startsWith("Architectures:")) {
        for (String a : l.substring(14).trim().split("\\s+")) {
          if (arch == null && !a.equals("all")) {
            arch = a;
          }
        }
      } else if (l.startsWith("Components:")) {
        components.addAll(List.of(l.substring(11).trim().split("\\s+")));
      } else if (l.startsWith("SHA256:")) {
        inSha256 = true;
      } else if (inSha256 && l.startsWith(" ")) {
        String[] f = l.trim().split("\\s+");
        if (f.length == 3) {
          indexes.add(f[2]);
        }
      } else {
        inSha256 = false;
      }
    }
    if (arch == null || components.isEmpty()) {
      throw new IOException(dists + "InRelease names no architecture or no component");
    }
    String index = null;
    for (String suffix : List.of("", ".xz", ".gz")) {
      for (String c : components) {
        String want = c + "/binary-" + arch + "/Packages" + suffix;
        if (index == null && indexes.contains(want)) {
          index = want;
        }
      }
    }
    if (index == null) {
      throw new IOException(dists + "InRelease lists no Packages index for " + arch);
    }
    byte[] raw = fetchBytes(service.base().resolve(dists + index));
    String packages;
    try (java.io.InputStream in =
        org.mirrordirector.sync.archive.Compression.of(index)
            .decompress(new java.io.ByteArrayInputStream(raw), index, 1L << 30)) {
      packages = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> paths = new ArrayList<>();
    paths.add(dists + "InRelease");
    for (String l : packages.split("\n")) {
      if (l.startsWith("Filename: ") && paths.size() < 41) {
        paths.add(root + l.substring(10).strip());
      }
    }
    if (paths.size() < 2) {
      throw new IOException(dists + index + " names no file");
    }
    return new Archive(paths, arch, components);
  }

  private byte[] fetchBytes(URI u) throws IOException, InterruptedException {
    for (int hop = 0; hop < 3; hop++) {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() == 200) {
        return r.body();
      }
      if (r.statusCode() != 302) {
        throw new IOException(u + " answered " + r.statusCode());
      }
      u = URI.create(r.headers().firstValue("Location").orElseThrow());
    }
    throw new IOException("too many redirects from " + u);
  }

  /**
   * The real apt-get update in a loop, through the service address, in a private directory (the
   * machine's own apt state is untouched). apt's default retries (3) are on, as on users' machines.
   */
  private final class AptLoop {
    final Archive archive;
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    final AtomicBoolean running = new AtomicBoolean(true);
    Thread thread;
    Path dir;

    AptLoop(Archive archive) {
      this.archive = archive;
    }

    void start() throws IOException {
      dir = Files.createTempDirectory("mirrorctl-drill-apt");
      for (String d :
          List.of(
              "etc/apt.conf.d",
              "etc/preferences.d",
              "etc/sources.list.d",
              "etc/trusted.gpg.d",
              "state/lists/partial",
              "cache/archives/partial",
              "log")) {
        Files.createDirectories(dir.resolve(d));
      }
      Files.writeString(
          dir.resolve("etc/sources.list"),
          "deb [signed-by="
              + target.aptKeyring()
              + "] "
              + service.base().resolve(target.root().substring(1))
              + " "
              + target.suite()
              + " "
              + String.join(" ", archive.components())
              + "\n");
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  String problem = once();
                  runs.incrementAndGet();
                  if (problem != null && running.get()) {
                    failed.incrementAndGet();
                    errors.add("apt-get update: " + problem);
                  }
                }
              },
              "drill-apt");
      thread.setDaemon(true);
      thread.start();
    }

    /** One apt-get update; null when it went well, else what apt said. */
    String once() {
      List<String> cmd = new ArrayList<>(List.of("apt-get", "-q"));
      List<String> opts =
          new ArrayList<>(
              List.of(
                  "Dir::Etc=" + dir.resolve("etc"),
                  "Dir::State=" + dir.resolve("state"),
                  "Dir::State::status=/dev/null",
                  "Dir::Cache=" + dir.resolve("cache"),
                  "Dir::Log=" + dir.resolve("log"),
                  "Debug::NoLocking=1",
                  "APT::Architecture=" + archive.architecture(),
                  "APT::Architectures=" + archive.architecture(),
                  "Acquire::Languages=none",
                  "Acquire::Retries=3"));
      if ("root".equals(System.getProperty("user.name"))) {
        opts.add("APT::Sandbox::User=root");
      }
      for (String o : opts) {
        cmd.add("-o");
        cmd.add(o);
      }
      cmd.add("update");
      try {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        for (String l : out.split("\n")) {
          if (l.startsWith("W:") || l.startsWith("E:") || l.startsWith("Err:")) {
            return l;
          }
        }
        return code == 0 ? null : "exit " + code;
      } catch (IOException e) {
        return e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    void stop() throws InterruptedException, IOException {
      running.set(false);
      thread.join(60_000);
      try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
        for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(x);
        }
      }
    }
  }

  /**
   * Requests at a fixed rate; a failed one is retried 4 times after 0.25, 0.5, 1 and 2 s, as apt
   * retries with a growing delay.
   */
  private final class Requests {
    final List<String> paths;
    final double rate;
    final ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "drill-load"));
    final java.util.concurrent.ExecutorService workers =
        Executors.newFixedThreadPool(32, r -> daemon(r, "drill-request"));
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger retried = new AtomicInteger();
    final ConcurrentLinkedQueue<Long> successes = new ConcurrentLinkedQueue<>();
    volatile long fault = Long.MAX_VALUE;
    final AtomicBoolean running = new AtomicBoolean(true);

    Requests(List<String> paths, double rate) {
      this.paths = paths;
      this.rate = rate;
    }

    void start() {
      long period = Math.max(1, (long) (1e9 / rate));
      timer.scheduleAtFixedRate(() -> workers.execute(this::one), 0, period, TimeUnit.NANOSECONDS);
    }

    void fault(long t) {
      fault = t;
    }

    void one() {
      String p = paths.get(Math.floorMod(next.getAndIncrement(), paths.size()));
      for (int attempt = 0; attempt < 5 && running.get(); attempt++) {
        if (attempt > 0) {
          retried.incrementAndGet();
          try {
            Thread.sleep(125L << attempt);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (attempt(p)) {
          successes.add(System.nanoTime());
          done.incrementAndGet();
          return;
        }
      }
      if (running.get()) {
        failed.incrementAndGet();
        done.incrementAndGet();
      }
    }

    boolean attempt(String p) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(service.base().resolve(p))
                    .timeout(Duration.ofSeconds(3))
                    .header("User-Agent", "mirrorctl-drill (apt-like)")
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return true;
        }
        if (r.statusCode() != 302) {
          return false;
        }
        URI to = URI.create(r.headers().firstValue("Location").orElse(""));
        HttpResponse<Void> m =
            http.send(
                HttpRequest.newBuilder(to).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.discarding());
        return m.statusCode() == 200;
      } catch (IOException | IllegalArgumentException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    /** The longest time without a success, from a second before the fault to the end. */
    long gapMillis() {
      List<Long> t = new ArrayList<>(successes);
      Collections.sort(t);
      long from = fault == Long.MAX_VALUE ? 0 : fault - 1_000_000_000L;
      long prev = -1;
      long gap = 0;
      for (long x : t) {
        if (x < from) {
          continue;
        }
        if (prev >= 0) {
          gap = Math.max(gap, x - prev);
        }
        prev = x;
      }
      return prev < 0 ? Long.MAX_VALUE / 1_000_000 : gap / 1_000_000;
    }

    void stop() throws InterruptedException {
      timer.shutdownNow();
      workers.shutdown();
      if (!workers.awaitTermination(20, TimeUnit.SECONDS)) {
        running.set(false);
        workers.shutdownNow();
      }
    }
  }

  /** Polls each node's /leader and the service's, every 50 ms. */
  private final class Poller {
    final Map<String, String> addresses;
    final String primary;
    final String standby;
    final ScheduledExecutorService timer =
        Executors.newScheduledThreadPool(3, r -> daemon(r, "drill-poll"));
    volatile long fault = -1;
    volatile long detected = -1;
    volatile long promoted = -1;
    volatile long switched = -1;
    volatile long overlapMillis;
    volatile boolean primaryLeads;
    volatile boolean standbyLeads;

    Poller(Map<String, String> addresses, String primary, String standby) {
      this.addresses = addresses;
      this.primary = primary;
      this.standby = standby;
    }

    void start() {
      timer.scheduleAtFixedRate(this::round, 0, 50, TimeUnit.MILLISECONDS);
    }

    void fault(long t) {
      fault = t;
    }

    void round() {
      boolean a = leads(URI.create("http://" + addresses.get(primary) + "/leader"));
      boolean b = leads(URI.create("http://" + addresses.get(standby) + "/leader"));
      long now = System.nanoTime();
      if (a && b) {
        overlapMillis += 50;
      }
      primaryLeads = a;
      standbyLeads = b;
      if (fault < 0) {
        return;
      }
      if (detected < 0 && !a) {
        detected = now;
      }
      if (promoted < 0 && b) {
        promoted = now;
      }
      if (switched < 0 && detected >= 0 && !a && leads(service.base().resolve("leader"))) {
        switched = System.nanoTime();
      }
    }

    boolean leads(URI u) {
      try {
        return http.send(
                    HttpRequest.newBuilder(u).timeout(Duration.ofMillis(300)).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    void stop() throws InterruptedException {
      timer.shutdownNow();
      timer.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The cluster was not fit for a drill; nothing was done. */
  public static final class PreflightFailed extends IOException {
    private static final long serialVersionUID = 1L;

    PreflightFailed(String message) {
      super("preflight failed: " + message);
    }
  }

  /** The report as the terminal shows it. */
  public static String render(Report r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%s (%s): %s -> %s, epoch %d -> %d, %d requests%n",
            r.id(),
            r.mode(),
            r.primaryBefore(),
            r.primaryAfter(),
            r.epochBefore(),
            r.epochAfter(),
            r.requests()));
    for (Figure f : r.figures()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-4s %-13s %10s   (%s)%n",
              f.pass() ? "PASS" : "FAIL",
              f.name(),
              fmt(f.value()) + f.unit(),
              f.limit()));
    }
    b.append(r.passed() ? "PASS" : "FAIL").append('\n');
    return b.toString();
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "never";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e9
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  public static String json(Report r) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("mode", r.mode());
    m.put("passed", r.passed());
    m.put("started", r.started().toString());
    m.put("finished", r.finished().toString());
    m.put("primaryBefore", r.primaryBefore());
    m.put("primaryAfter", r.primaryAfter());
    m.put("epochBefore", r.epochBefore());
    m.put("epochAfter", r.epochAfter());
    m.put("requests", r.requests());
    List<Map<String, Object>> fs = new ArrayList<>();
    for (Figure f : r.figures()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("name", f.name());
      x.put("value", Double.isNaN(f.value()) ? null : f.value());
      x.put("unit", f.unit().strip());
      x.put("limit", f.limit());
      x.put("pass", f.pass());
      fs.add(x);
    }
    m.put("figures", fs);
    m.put("notes", r.notes());
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m);
  }

  private void log(String format, Object... args) {
    log.println(String.format(Locale.ROOT, format, args));
    log.flush();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
