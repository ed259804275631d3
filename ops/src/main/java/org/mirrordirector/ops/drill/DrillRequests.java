package org.mirrordirector.ops.drill;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.common.Daemons;

/**
 * Requests at a fixed rate; a failed one is retried 4 times after 0.25, 0.5, 1 and 2 s, as apt
 * retries with a growing delay.
 */
public final class DrillRequests {
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

  /** The client a drill's requests use: no redirect followed by itself, a one-second connect. */
  public static HttpClient httpClient() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(1))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  public DrillRequests(HttpClient http, NodeClient service, List<String> paths, double rate) {
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
  public List<Figure> figures(DrillThresholds limits) {
    return List.of(
        new Figure(
            "gap",
            gapMillis() / 1000.0,
            " s",
            "<= " + limits.gap().toMillis() / 1000.0 + " s",
            gapMillis() <= limits.gap().toMillis()),
        new Figure(
            "failed", failed.get(), "", "<= " + limits.failed(), failed.get() <= limits.failed()),
        new Figure("retried", retried.get(), "", "reported", true));
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
