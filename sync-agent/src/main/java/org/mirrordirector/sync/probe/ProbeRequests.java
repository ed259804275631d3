package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.mirrordirector.failover.Payloads.MirrorConfig;
import org.mirrordirector.sync.archive.Rfc2822Dates;
import org.mirrordirector.sync.archive.Sha256;
import org.mirrordirector.sync.probe.MirrorProber.Change;

/**
 * The prober's HTTP side: one client (its TLS, its timeouts), every request counted, the last full
 * answer per InRelease URL kept for conditional requests, and the cheap recheck that uses it. The
 * judgement of what an answer means is {@link MirrorProber}'s.
 */
final class ProbeRequests {
  /** What the last full answer for an InRelease URL was, for conditional requests. */
  record Cached(String etag, String lastModified, String sha256, Verdict verdict) {}

  /** What an unknown InRelease turned out to be: a problem, or its Date. */
  record Verdict(String problem, Instant date) {}

  /** A HEAD's answer: status (-1 when none), Content-Length (-1 when absent), and in words. */
  record Head(int status, long length, String problem) {}

  private final ProbeConfig config;
  final HttpClient http;
  final Map<String, Cached> conditional = new ConcurrentHashMap<>();
  private final AtomicLong requests = new AtomicLong();

  ProbeRequests(ProbeConfig config, SSLContext tls) {
    this.config = config;
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.timeout())
            .followRedirects(HttpClient.Redirect.NORMAL);
    if (tls != null) {
      b.sslContext(tls);
    }
    this.http = b.build();
  }

  /** Sends a request, counted. */
  <T> HttpResponse<T> send(HttpRequest r, HttpResponse.BodyHandler<T> body)
      throws IOException, InterruptedException {
    requests.incrementAndGet();
    return http.send(r, body);
  }

  long sent() {
    return requests.get();
  }

  /**
   * A conditional GET of each InRelease the last full probe read, per scheme and suite: cheap
   * enough to look at every mirror every few seconds between full probes. An InRelease that changed
   * is forgotten, so the full probe that follows reads it whole.
   */
  Change recheck(MirrorConfig m) {
    Change result = Change.SAME;
    for (String url : m.baseUrls().values()) {
      URI base = URI.create(url.endsWith("/") ? url : url + "/");
      for (String suite : config.suites()) {
        URI in = base.resolve("dists/" + suite + "/InRelease");
        Cached before = conditional.get(in.toString());
        if (before == null) {
          return Change.CHANGED;
        }
        HttpRequest.Builder rb = request(in).GET();
        if (before.etag() != null) {
          rb.header("If-None-Match", before.etag());
        }
        if (before.lastModified() != null) {
          rb.header("If-Modified-Since", before.lastModified());
        }
        try {
          HttpResponse<InputStream> r = send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
          try (InputStream body = r.body()) {
            int status = r.statusCode();
            if (status == 304) {
              continue;
            }
            if (status >= 500) {
              result = Change.UNREACHABLE;
              continue;
            }
            if (status == 200) {
              byte[] data = body.readNBytes(config.maxInReleaseBytes() + 1);
              if (Sha256.hex(data).equals(before.sha256())) {
                continue;
              }
            }
            conditional.remove(in.toString());
            return Change.CHANGED;
          }
        } catch (IOException e) {
          result = Change.UNREACHABLE;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Change.UNREACHABLE;
        }
      }
      // ftpsync's lock: a two-stage sync has begun, and its last step deletes the files the new
      // version dropped. Seen now, the mirror is taken out before that step, not a recheck after.
      if (result == Change.SAME && lockPresent(base)) {
        return Change.CHANGED;
      }
    }
    return result;
  }

  Optional<Instant> traceDate(URI base) {
    try {
      HttpResponse<InputStream> r =
          send(
              request(base.resolve("project/trace/" + hostName(base))).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        if (r.statusCode() != 200) {
          return Optional.empty();
        }
        String text = new String(in.readNBytes(8192), StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
          if (line.startsWith("Date: ")) {
            return Optional.of(Rfc2822Dates.parse(line.substring(6).trim()));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // a trace is informative only
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.empty();
  }

  boolean lockPresent(URI base) {
    // "./": an IPv6 host's colons must not read as a scheme in a relative reference.
    return head(base.resolve("./" + lockName(base))).status() == 200;
  }

  /**
   * The mirror's host as ftpsync writes it into file names: an IPv6 literal without its brackets
   * ({@code ::1}, not {@code [::1]}, which no path may hold).
   */
  static String hostName(URI base) {
    String h = base.getHost();
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  static String lockName(URI base) {
    return "Archive-Update-in-Progress-" + hostName(base);
  }

  Head head(URI url) {
    try {
      HttpResponse<Void> r =
          send(
              request(url).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
              HttpResponse.BodyHandlers.discarding());
      return new Head(
          r.statusCode(),
          r.headers().firstValueAsLong("Content-Length").orElse(-1),
          "HTTP " + r.statusCode());
    } catch (HttpTimeoutException e) {
      return new Head(-1, -1, "no answer within " + config.timeout().toMillis() + " ms");
    } catch (IOException e) {
      return new Head(-1, -1, "request failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Head(-1, -1, "interrupted");
    }
  }

  HttpRequest.Builder request(URI url) {
    return HttpRequest.newBuilder(url)
        .timeout(config.timeout())
        .header("User-Agent", "mirrordirector-prober/1")
        .header("Cache-Control", "no-cache");
  }
}
