package org.mirrordirector.ops.drill;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.common.Daemons;

/** Polls each node's /leader and the service's, every 50 ms. */
public final class DrillPoller {
  public final HttpClient http;
  public final NodeClient service;
  public final Map<String, String> addresses;
  public final String primary;
  public final String standby;
  public final ScheduledExecutorService timer =
      Executors.newScheduledThreadPool(3, r -> Daemons.daemon(r, "drill-poll"));
  public volatile long fault = -1;
  public volatile long detected = -1;
  public volatile long promoted = -1;
  public volatile long switched = -1;
  public volatile long overlapMillis;
  public volatile boolean primaryLeads;
  public volatile boolean standbyLeads;

  public DrillPoller(
      HttpClient http,
      NodeClient service,
      Map<String, String> addresses,
      String primary,
      String standby) {
    this.http = http;
    this.service = service;
    this.addresses = addresses;
    this.primary = primary;
    this.standby = standby;
  }

  public void start() {
    timer.scheduleAtFixedRate(this::round, 0, 50, TimeUnit.MILLISECONDS);
  }

  public void fault(long t) {
    fault = t;
  }

  public void round() {
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

  public boolean leads(URI u) {
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

  public void stop() throws InterruptedException {
    timer.shutdownNow();
    timer.awaitTermination(5, TimeUnit.SECONDS);
  }
}
