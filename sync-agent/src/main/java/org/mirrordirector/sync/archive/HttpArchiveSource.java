package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An archive served over HTTP(S), as a public mirror serves it. A 404 or 410 means "absent"; any
 * other failure is an {@link IOException} naming the URL and the status, so a mirror that is down
 * is never mistaken for one that lacks a file.
 */
public final class HttpArchiveSource implements ArchiveSource {
  private final URI base;
  private final HttpClient client;
  private final Duration timeout;

  /**
   * @param base the archive root, e.g. {@code http://mirror.example/raspbian/}
   */
  public HttpArchiveSource(URI base, Duration timeout) {
    this(
        base,
        timeout,
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build());
  }

  /** Over a client of the caller's (its TLS settings, its connection pool). */
  public HttpArchiveSource(URI base, Duration timeout, HttpClient client) {
    String s = base.toString();
    this.base = URI.create(s.endsWith("/") ? s : s + "/");
    String scheme = this.base.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException("archive URL must be http or https: " + base);
    }
    this.timeout = timeout;
    this.client = client;
  }

  private URI uri(String path) {
    return resolve(base, path);
  }

  /**
   * The URL of an archive path under a base: the path is percent-encoded, a '%' in a file name
   * included ("foo_1%3a2.0_all.deb", as apt-ftparchive keeps the apt cache's names, is asked for as
   * "foo_1%253a2.0_all.deb", as apt does), so the server finds the file the index names.
   */
  public static URI resolve(URI base, String path) {
    try {
      return base.resolve(new URI(null, null, "./" + path, null));
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("not an archive path: '" + path + "'", e);
    }
  }

  @Override
  public String describe(String path) {
    return uri(path).toString();
  }

  @Override
  public Optional<Stat> stat(String path) throws IOException {
    HttpRequest req =
        HttpRequest.newBuilder(uri(path))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .timeout(timeout)
            .build();
    HttpResponse<Void> resp = send(req, HttpResponse.BodyHandlers.discarding());
    if (resp.statusCode() == 404 || resp.statusCode() == 410) {
      return Optional.empty();
    }
    check(resp, path);
    OptionalLong len = resp.headers().firstValueAsLong("Content-Length");
    return Optional.of(new Stat(len.orElse(-1), true, null));
  }

  @Override
  public InputStream open(String path) throws IOException {
    HttpRequest req = HttpRequest.newBuilder(uri(path)).GET().timeout(timeout).build();
    HttpResponse<InputStream> resp = send(req, HttpResponse.BodyHandlers.ofInputStream());
    if (resp.statusCode() == 404 || resp.statusCode() == 410) {
      resp.body().close();
      throw new NoSuchFileException(describe(path));
    }
    if (resp.statusCode() != 200) {
      resp.body().close();
    }
    check(resp, path);
    return resp.body();
  }

  @Override
  public boolean isLocal() {
    return false;
  }

  private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    try {
      return client.send(req, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + req.uri(), e);
    } catch (IOException e) {
      throw new IOException(req.method() + " " + req.uri() + " failed: " + e, e);
    }
  }

  private void check(HttpResponse<?> resp, String path) throws IOException {
    if (resp.statusCode() != 200) {
      throw new IOException(
          resp.request().method() + " " + describe(path) + " answered HTTP " + resp.statusCode());
    }
  }

  @Override
  public String toString() {
    return base.toString();
  }
}
