package org.mirrordirector.ops.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.common.Daemons;
import org.mirrordirector.sync.archive.Sha256;

/**
 * What the soak sees, polled all along: every writer node's {@code /leader} every 100 ms (two at
 * once is an overlap); the registry's current snapshot and each mirror's health through the
 * service's {@code /status.json}, and the InRelease the service sends a client to, every 250 ms;
 * every mirror's own InRelease every 500 ms. Each InRelease is kept as the time it was first seen,
 * by SHA-256, so that the freshness of each publication can be worked out afterwards.
 */
public final class SoakWatch implements AutoCloseable {

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(1))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final NodeClient service;
  private final Map<String, URI> leaders;
  private final Map<String, URI> mirrors;
  private final String inReleasePath;
  private final ScheduledExecutorService timer =
      Executors.newScheduledThreadPool(3, r -> Daemons.daemon(r, "soak-watch"));
  private final List<SeenAt> current = new CopyOnWriteArrayList<>();
  private final List<SeenAt> routed = new CopyOnWriteArrayList<>();
  private final Map<String, List<SeenAt>> mirrorInRelease = new ConcurrentHashMap<>();
  private final Map<String, List<SeenAt>> health = new ConcurrentHashMap<>();
  // Each mirror's redirects in the five minutes before the last status read.
  private final Map<String, Long> redirects = new ConcurrentHashMap<>();
  // Each InRelease's Date (its publication, as the upstream signed it), by SHA-256.
  private final Map<String, Long> dates = new ConcurrentHashMap<>();
  private final AtomicLong overlapMillis = new AtomicLong();
  private final AtomicLong overlaps = new AtomicLong();
  // The longest sync run a writer reported (md_sync_duration_seconds_max), in ms.
  private final AtomicLong longestSync = new AtomicLong();
  private volatile boolean overlapping;

  /**
   * @param writers each writer node's address (host:port)
   * @param mirrors each mirror's id to its base URL
   * @param inReleasePath the suite's InRelease under the service, like {@code
   *     raspbian/dists/bookworm/InRelease}
   */
  public SoakWatch(
      NodeClient service,
      Map<String, String> writers,
      Map<String, String> mirrors,
      String inReleasePath) {
    this.service = service;
    this.leaders = new LinkedHashMap<>();
    writers.forEach((id, a) -> leaders.put(id, URI.create("http://" + a + "/leader")));
    this.mirrors = new LinkedHashMap<>();
    mirrors.forEach((id, u) -> this.mirrors.put(id, URI.create(u).resolve(suiteIn(inReleasePath))));
    this.inReleasePath = inReleasePath;
  }

  /** The InRelease path under a mirror's base URL: the archive's root prefix removed. */
  private static String suiteIn(String inReleasePath) {
    return inReleasePath.substring(inReleasePath.indexOf("dists/"));
  }

  public SoakWatch start() {
    timer.scheduleAtFixedRate(always(this::leaders), 0, 100, TimeUnit.MILLISECONDS);
    timer.scheduleAtFixedRate(always(this::service), 0, 250, TimeUnit.MILLISECONDS);
    timer.scheduleAtFixedRate(always(this::mirrors), 0, 500, TimeUnit.MILLISECONDS);
    // The metric is the largest of the last two minutes or so: read it often enough.
    timer.scheduleAtFixedRate(always(this::syncs), 0, 10, TimeUnit.SECONDS);
    return this;
  }

  // A periodic task that throws is never run again: one unexpected answer would blind the watch
  // for the rest of the soak. The first failure is said once; the task goes on.
  private final java.util.concurrent.atomic.AtomicBoolean failedOnce =
      new java.util.concurrent.atomic.AtomicBoolean();

  private Runnable always(Runnable r) {
    return () -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        if (failedOnce.compareAndSet(false, true)) {
          System.err.println("mirrorctl soak: a watch failed once and goes on: " + e);
        }
      }
    };
  }

  private void leaders() {
    int leading = 0;
    for (URI u : leaders.values()) {
      if (status(u) == 200) {
        leading++;
      }
    }
    if (leading > 1) {
      overlapMillis.addAndGet(100);
      if (!overlapping) {
        overlaps.incrementAndGet();
      }
    }
    overlapping = leading > 1;
  }

  private void service() {
    try {
      JsonNode s = service.status();
      String suite = suiteName();
      String sha = s.path("current").path("suites").path(suite).path("inRelease").asText(null);
      if (sha != null) {
        note(current, sha);
      }
      for (JsonNode m : s.path("mirrors")) {
        redirects.put(m.path("id").asText(), m.path("redirects5m").asLong());
        for (JsonNode st : m.path("states")) {
          if (suite.equals(st.path("suite").asText())
              && "http".equals(st.path("scheme").asText())) {
            note(
                health.computeIfAbsent(m.path("id").asText(), k -> new CopyOnWriteArrayList<>()),
                st.path("health").asText());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // the service may be switching between nodes: the next poll sees it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String sha = fetchSha(service.base().resolve(inReleasePath), true);
    if (sha != null) {
      note(routed, sha);
    }
  }

  private void mirrors() {
    mirrors.forEach(
        (id, u) -> {
          String sha = fetchSha(u, false);
          if (sha != null) {
            note(mirrorInRelease.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()), sha);
          }
        });
  }

  private static final java.util.regex.Pattern SYNC_MAX =
      java.util.regex.Pattern.compile(
          "(?m)^md_sync_duration_seconds_max\\{[^}]*\\} ([0-9.eE+-]+)$");

  private void syncs() {
    for (URI u : leaders.values()) {
      try {
        HttpResponse<byte[]> r = get(u.resolve("/metrics"));
        if (r.statusCode() == 200) {
          var m = SYNC_MAX.matcher(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
          while (m.find()) {
            longestSync.accumulateAndGet((long) (Double.parseDouble(m.group(1)) * 1000), Math::max);
          }
        }
      } catch (IOException | RuntimeException e) {
        // a node that does not answer now reports at the next read
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The longest sync run any writer node reported during the soak. */
  public Duration longestSync() {
    return Duration.ofMillis(longestSync.get());
  }

  private String suiteName() {
    String s = suiteIn(inReleasePath).substring("dists/".length());
    return s.substring(0, s.indexOf('/'));
  }

  /** Keeps a value when it differs from the last one kept. */
  private static void note(List<SeenAt> list, String what) {
    synchronized (list) {
      if (list.isEmpty() || !list.get(list.size() - 1).what().equals(what)) {
        list.add(new SeenAt(System.currentTimeMillis(), what));
      }
    }
  }

  private String fetchSha(URI u, boolean followOne) {
    try {
      HttpResponse<byte[]> r = get(u);
      if (followOne && r.statusCode() == 302) {
        r = get(URI.create(r.headers().firstValue("Location").orElse("")));
      }
      if (r.statusCode() != 200) {
        return null;
      }
      String sha = Sha256.hex(r.body());
      if (!dates.containsKey(sha)) {
        date(r.body()).ifPresent(d -> dates.put(sha, d));
      }
      return sha;
    } catch (IOException | IllegalArgumentException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The Date field of an InRelease, when it has one that parses. */
  public static java.util.Optional<Long> date(byte[] inRelease) {
    String text = new String(inRelease, java.nio.charset.StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (line.startsWith("Date:")) {
        try {
          return java.util.Optional.of(
              org.mirrordirector.sync.archive.Rfc2822Dates.parse(line.substring(5).strip())
                  .toEpochMilli());
        } catch (RuntimeException e) {
          return java.util.Optional.empty();
        }
      }
      if (line.startsWith("-----BEGIN PGP SIGNATURE")) {
        break;
      }
    }
    return java.util.Optional.empty();
  }

  /** The Date of every InRelease seen, by SHA-256. */
  public Map<String, Long> dates() {
    return Map.copyOf(dates);
  }

  private HttpResponse<byte[]> get(URI u) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(u)
            .timeout(Duration.ofSeconds(2))
            .header("User-Agent", "mirrorctl-soak")
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private int status(URI u) {
    try {
      return http.send(
              HttpRequest.newBuilder(u).timeout(Duration.ofMillis(300)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The registry's current snapshot (its InRelease), as it changed. */
  public List<SeenAt> current() {
    return List.copyOf(current);
  }

  /** The InRelease the service gave a client, as it changed. */
  public List<SeenAt> routed() {
    return List.copyOf(routed);
  }

  /** Each mirror's own InRelease, as it changed. */
  public Map<String, List<SeenAt>> mirrorInReleases() {
    Map<String, List<SeenAt>> m = new LinkedHashMap<>();
    for (String id : mirrors.keySet()) {
      m.put(id, List.copyOf(mirrorInRelease.getOrDefault(id, List.of())));
    }
    return m;
  }

  /** Each mirror's id by the port of its base URL (apt names a mirror by its address). */
  public Map<Integer, String> mirrorPorts() {
    Map<Integer, String> m = new java.util.TreeMap<>();
    mirrors.forEach(
        (id, u) -> {
          if (u.getPort() > 0) {
            m.put(u.getPort(), id);
          }
        });
    return m;
  }

  /** Each mirror's health (http, the suite) as the registry said it, as it changed. */
  public Map<String, List<SeenAt>> health() {
    Map<String, List<SeenAt>> m = new LinkedHashMap<>();
    health.forEach((k, v) -> m.put(k, new ArrayList<>(v)));
    return m;
  }

  /** Each mirror's redirects in the last five minutes, as the service said last. */
  public Map<String, Long> redirectsLastFiveMinutes() {
    return new java.util.TreeMap<>(redirects);
  }

  /** How long two writer nodes answered 200 on /leader at once. */
  public long overlapMillis() {
    return overlapMillis.get();
  }

  /** How many times that began. */
  public long overlaps() {
    return overlaps.get();
  }

  @Override
  public void close() throws InterruptedException {
    timer.shutdownNow();
    timer.awaitTermination(5, TimeUnit.SECONDS);
  }
}
