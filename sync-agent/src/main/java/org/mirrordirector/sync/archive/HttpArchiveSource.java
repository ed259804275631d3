package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.mirrordirector.sync.net.HttpAnswer;
import org.mirrordirector.sync.net.OutboundHttp;

/**
 * An archive served over HTTP(S), as a public mirror serves it. A 404 or 410 means "absent"; any
 * other failure is an {@link IOException} naming the URL and the status, so a mirror that is down
 * is never mistaken for one that lacks a file. Connections try every address of the host (see
 * {@link OutboundHttp}).
 */
public final class HttpArchiveSource implements ArchiveSource, AutoCloseable {
  private final URI base;
  private final OutboundHttp client;
  private final boolean ownsClient;

  /**
   * Over a client of its own, closed with it: no redirects followed.
   *
   * @param base the archive root, e.g. {@code http://mirror.example/raspbian/}
   */
  public HttpArchiveSource(URI base, Duration timeout) {
    this(
        base,
        new OutboundHttp(
            "archive-http", new HappyEyeballs(), timeout, null, false, "mirrordirector/1"),
        true);
  }

  /** Over a client of the caller's (its TLS settings, its connections, its addresses). */
  public HttpArchiveSource(URI base, OutboundHttp client) {
    this(base, client, false);
  }

  private HttpArchiveSource(URI base, OutboundHttp client, boolean ownsClient) {
    String s = base.toString();
    URI b = URI.create(s.endsWith("/") ? s : s + "/");
    String scheme = b.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      if (ownsClient) {
        client.close();
      }
      throw new IllegalArgumentException("archive URL must be http or https: " + base);
    }
    this.base = b;
    this.client = client;
    this.ownsClient = ownsClient;
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
  public Optional<FileStat> stat(String path) throws IOException {
    try (HttpAnswer a = send("HEAD", path)) {
      if (a.status() == 404 || a.status() == 410) {
        return Optional.empty();
      }
      check(a, "HEAD", path);
      return Optional.of(new FileStat(a.contentLength(), true, null));
    }
  }

  @Override
  public InputStream open(String path) throws IOException {
    HttpAnswer a = send("GET", path);
    if (a.status() == 404 || a.status() == 410) {
      a.close();
      throw new NoSuchFileException(describe(path));
    }
    if (a.status() != 200) {
      a.close();
    }
    check(a, "GET", path);
    return a.body();
  }

  @Override
  public boolean isLocal() {
    return false;
  }

  private HttpAnswer send(String method, String path) throws IOException {
    URI u = uri(path);
    try {
      return client.send(method, u, Map.of());
    } catch (java.io.InterruptedIOException e) {
      throw new IOException("interrupted while fetching " + u, e);
    } catch (IOException e) {
      throw new IOException(method + " " + u + " failed: " + e, e);
    }
  }

  private void check(HttpAnswer a, String method, String path) throws IOException {
    if (a.status() != 200) {
      throw new IOException(method + " " + describe(path) + " answered HTTP " + a.status());
    }
  }

  /** Closes the client if it is this source's own. */
  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return base.toString();
  }
}
