package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.mirrordirector.failover.net.NoAddressAnswered;
import org.mirrordirector.sync.archive.Rfc2822Dates;
import org.mirrordirector.sync.archive.Sha256;
import org.mirrordirector.sync.net.HttpAnswer;
import org.mirrordirector.sync.net.OutboundHttp;

/**
 * The prober's HTTP side: one client (its TLS, its timeouts, connections that try every address of
 * a mirror's name), every request counted, the last full answer per InRelease URL kept for
 * conditional requests, and the cheap recheck that uses it. The judgement of what an answer means
 * is {@link MirrorProber}'s.
 */
final class ProbeRequests {

  private final ProbeConfig config;
  final OutboundHttp http;
  final Map<String, CachedInRelease> conditional = new ConcurrentHashMap<>();

  ProbeRequests(ProbeConfig config, SSLContext tls, HappyEyeballs eyeballs) {
    this.config = config;
    this.http =
        new OutboundHttp("mirror-probe-http", eyeballs, config.timeout(), tls, true, USER_AGENT);
  }

  static final String USER_AGENT = "mirrordirector-prober/1";

  /** A request with the prober's headers and the given ones, counted. */
  HttpAnswer send(String method, URI url, Map<String, String> headers) throws IOException {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("Cache-Control", "no-cache");
    all.putAll(headers);
    return http.send(method, url, all);
  }

  long sent() {
    return http.sent();
  }

  /**
   * Why a request got no answer, in words: the addresses tried and what became of each, or the
   * timeout.
   */
  static String unreachable(IOException e) {
    if (e instanceof NoAddressAnswered n) {
      return n.summary();
    }
    if (e instanceof SocketTimeoutException) {
      return e.getMessage();
    }
    return "request failed: " + e;
  }

  /**
   * A conditional GET of each InRelease the last full probe read, per scheme and suite: cheap
   * enough to look at every mirror every few seconds between full probes. An InRelease that changed
   * is forgotten, so the full probe that follows reads it whole.
   */
  MirrorChange recheck(MirrorConfig m) {
    MirrorChange result = MirrorChange.SAME;
    for (String url : m.baseUrls().values()) {
      URI base = URI.create(url.endsWith("/") ? url : url + "/");
      for (String suite : config.suites()) {
        URI in = base.resolve("dists/" + suite + "/InRelease");
        CachedInRelease before = conditional.get(in.toString());
        if (before == null) {
          return MirrorChange.CHANGED;
        }
        try (HttpAnswer r = send("GET", in, conditionalHeaders(before))) {
          int status = r.status();
          if (status == 304) {
            continue;
          }
          if (status >= 500) {
            result = MirrorChange.UNREACHABLE;
            continue;
          }
          if (status == 200) {
            byte[] data = r.body().readNBytes(config.maxInReleaseBytes() + 1);
            if (Sha256.hex(data).equals(before.sha256())) {
              continue;
            }
          }
          conditional.remove(in.toString());
          return MirrorChange.CHANGED;
        } catch (IOException e) {
          result = MirrorChange.UNREACHABLE;
        }
      }
      // ftpsync's lock: a two-stage sync has begun, and its last step deletes the files the new
      // version dropped. Seen now, the mirror is taken out before that step, not a recheck after.
      if (result == MirrorChange.SAME && lockPresent(base)) {
        return MirrorChange.CHANGED;
      }
    }
    return result;
  }

  /** If-None-Match and If-Modified-Since from the last full answer. */
  static Map<String, String> conditionalHeaders(CachedInRelease before) {
    Map<String, String> h = new LinkedHashMap<>();
    if (before != null && before.etag() != null) {
      h.put("If-None-Match", before.etag());
    }
    if (before != null && before.lastModified() != null) {
      h.put("If-Modified-Since", before.lastModified());
    }
    return h;
  }

  Optional<Instant> traceDate(URI base) {
    try (HttpAnswer r = send("GET", base.resolve("project/trace/" + hostName(base)), Map.of())) {
      try (InputStream in = r.body()) {
        if (r.status() != 200) {
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

  HeadAnswer head(URI url) {
    try (HttpAnswer r = send("HEAD", url, Map.of())) {
      return new HeadAnswer(r.status(), r.contentLength(), "HTTP " + r.status());
    } catch (IOException e) {
      return new HeadAnswer(-1, -1, unreachable(e));
    }
  }
}
