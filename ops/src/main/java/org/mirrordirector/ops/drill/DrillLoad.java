package org.mirrordirector.ops.drill;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.mirrordirector.ops.client.AptClient;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.common.Daemons;

/**
 * A drill's load through the service address: what it knows of the archive (read like apt reads
 * it), apt-like requests at a fixed rate with apt's retries, and the real apt-get update in a loop.
 */
public final class DrillLoad {
  private DrillLoad() {}

  /** What the drill knows of the archive, read through the service like apt would. */
  /**
   * @param sources whether the Release lists a Sources index (apt's {@code deb-src} lines and
   *     {@code apt-get source} need one; without it apt skips them and {@code source} fails)
   */
  public record Archive(
      List<String> paths, String architecture, List<String> components, boolean sources) {}

  /**
   * The suite's InRelease, the architecture and components it names, and up to 40 pool files of its
   * first Packages index (uncompressed, .xz or .gz).
   */
  public static Archive archive(HttpClient http, NodeClient service, DrillLoadPlan target)
      throws IOException, InterruptedException {
    String root = target.root().substring(1);
    String dists = root + "dists/" + target.suite() + "/";
    String inRelease =
        new String(
            fetchBytes(http, service.base().resolve(dists + "InRelease")), StandardCharsets.UTF_8);
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
    byte[] raw = fetchBytes(http, service.base().resolve(dists + index));
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
    boolean sources = false;
    for (String i : indexes) {
      sources |= i.matches("[^/]+/source/Sources(\\.xz|\\.gz|\\.bz2)?");
    }
    return new Archive(paths, arch, components, sources);
  }

  private static byte[] fetchBytes(HttpClient http, URI u)
      throws IOException, InterruptedException {
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
  public static final class AptLoop {
    public final NodeClient service;
    public final DrillLoadPlan target;
    public final Archive archive;
    public final AtomicInteger runs = new AtomicInteger();
    public final AtomicInteger failed = new AtomicInteger();
    public final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    public final AtomicBoolean running = new AtomicBoolean(true);
    public Thread thread;
    public Path dir;

    public AptLoop(NodeClient service, DrillLoadPlan target, Archive archive) {
      this.service = service;
      this.target = target;
      this.archive = archive;
    }

    public void start() throws IOException {
      dir = Files.createTempDirectory("mirrorctl-drill-apt");
      AptClient apt = new AptClient(dir, archive.architecture());
      apt.sources(
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
                  String problem = once(apt);
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

    /** One apt-get update; null when it went well, else the first line apt complained in. */
    public static String once(AptClient apt) {
      try {
        AptClient.Attempt a = apt.attempt("apt-get", "update");
        if (a.ok()) {
          return null;
        }
        for (String l : a.output().split("\n")) {
          if (l.startsWith("W:") || l.startsWith("E:") || l.startsWith("Err:")) {
            return l;
          }
        }
        return "exit " + a.exit();
      } catch (IOException e) {
        return e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    public void stop() throws InterruptedException, IOException {
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
  public static final class Requests {
    public final HttpClient http;
    public final NodeClient service;
    public final List<String> paths;
    public final double rate;
    public final ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(r -> Daemons.daemon(r, "drill-load"));
    public final java.util.concurrent.ExecutorService workers =
        Executors.newFixedThreadPool(32, r -> Daemons.daemon(r, "drill-request"));
    public final AtomicInteger next = new AtomicInteger();
    public final AtomicInteger done = new AtomicInteger();
    public final AtomicInteger failed = new AtomicInteger();
    public final AtomicInteger retried = new AtomicInteger();
    public final ConcurrentLinkedQueue<Long> successes = new ConcurrentLinkedQueue<>();
    public volatile long fault = Long.MAX_VALUE;
    public final AtomicBoolean running = new AtomicBoolean(true);

    public Requests(HttpClient http, NodeClient service, List<String> paths, double rate) {
      this.http = http;
      this.service = service;
      this.paths = paths;
      this.rate = rate;
    }

    public void start() {
      long period = Math.max(1, (long) (1e9 / rate));
      timer.scheduleAtFixedRate(() -> workers.execute(this::one), 0, period, TimeUnit.NANOSECONDS);
    }

    public void fault(long t) {
      fault = t;
    }

    public void one() {
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

    public boolean attempt(String p) {
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

    /** Its figures: the gap, failed requests (against the limits) and retried ones. */
    public List<DrillReport.Figure> figures(DrillThresholds limits) {
      return List.of(
          new DrillReport.Figure(
              "gap",
              gapMillis() / 1000.0,
              " s",
              "<= " + limits.gap().toMillis() / 1000.0 + " s",
              gapMillis() <= limits.gap().toMillis()),
          new DrillReport.Figure(
              "failed", failed.get(), "", "<= " + limits.failed(), failed.get() <= limits.failed()),
          new DrillReport.Figure("retried", retried.get(), "", "reported", true));
    }

    /** The longest time without a success, from a second before the fault to the end. */
    public long gapMillis() {
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

    public void stop() throws InterruptedException {
      timer.shutdownNow();
      workers.shutdown();
      if (!workers.awaitTermination(20, TimeUnit.SECONDS)) {
        running.set(false);
        workers.shutdownNow();
      }
    }
  }
}
