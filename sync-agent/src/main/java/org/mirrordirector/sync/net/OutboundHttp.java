package org.mirrordirector.sync.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.mirrordirector.failover.net.HappyEyeballs;

/**
 * The node's HTTP client for what it asks of mirrors and upstreams (probes, rechecks, pool samples,
 * learning from mirrors ahead, HTTP archive sources): HTTP/1.1 over connections that try every
 * address of a name ({@link HappyEyeballs}), kept alive per host, each answer saying which address
 * it came from. Redirects are followed up to five hops, never from https to http (as apt refuses
 * them); bodies arrive as sent (no content decoding, so a hash is of the bytes the mirror serves).
 */
public final class OutboundHttp implements AutoCloseable {
  private static final int MAX_REDIRECTS = 5;

  private final HttpClient client;
  private final HappyEyeballs eyeballs;
  private final Duration timeout;
  private final boolean followRedirects;
  private final AtomicLong sent = new AtomicLong();

  /**
   * @param timeout for connecting (every attempt together), for the answer's headers, and for each
   *     wait for more of a body
   * @param tls trust for https, or null for the JDK's default
   * @param followRedirects whether 3xx answers are followed (see the class comment)
   */
  public OutboundHttp(
      String name,
      HappyEyeballs eyeballs,
      Duration timeout,
      SSLContext tls,
      boolean followRedirects,
      String userAgent) {
    this.eyeballs = eyeballs;
    this.timeout = timeout;
    this.followRedirects = followRedirects;
    HappyEyeballsConnector connector = new HappyEyeballsConnector(eyeballs);
    SslContextFactory.Client ssl = new SslContextFactory.Client();
    if (tls != null) {
      ssl.setSslContext(tls);
    }
    connector.setSslContextFactory(ssl);
    connector.setConnectTimeout(timeout);
    connector.setIdleTimeout(timeout);
    connector.setSelectors(1);
    QueuedThreadPool threads = new QueuedThreadPool(64, 2);
    threads.setName(name);
    threads.setDaemon(true);
    connector.setExecutor(threads);
    client = new HttpClient(new HttpClientTransportOverHTTP(connector));
    client.setExecutor(threads);
    // Daemon threads all: a client left open never keeps the JVM from exiting.
    client.setScheduler(
        new org.eclipse.jetty.util.thread.ScheduledExecutorScheduler(name + "-scheduler", true));
    client.setSocketAddressResolver(HappyEyeballsConnector.UNRESOLVED);
    client.setFollowRedirects(false);
    client.setConnectTimeout(timeout.toMillis());
    client.setIdleTimeout(timeout.toMillis());
    client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, userAgent));
    client.getContentDecoderFactories().clear();
    client.setName(name);
    try {
      client.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the HTTP client " + name + ": " + e, e);
    }
  }

  public HappyEyeballs eyeballs() {
    return eyeballs;
  }

  public Duration timeout() {
    return timeout;
  }

  /** Requests sent so far (each redirect hop counts). */
  public long sent() {
    return sent.get();
  }

  /** A GET. */
  public HttpAnswer get(URI url, Map<String, String> headers) throws IOException {
    return send("GET", url, headers);
  }

  /** A HEAD. */
  public HttpAnswer head(URI url, Map<String, String> headers) throws IOException {
    return send("HEAD", url, headers);
  }

  /**
   * Sends a request and waits for its headers. Throws {@link java.net.ConnectException} naming
   * every address tried when none connects, {@link SocketTimeoutException} when no answer comes
   * within the timeout, and another {@link IOException} for anything else.
   */
  public HttpAnswer send(String method, URI url, Map<String, String> headers) throws IOException {
    URI at = url;
    for (int hop = 0; ; hop++) {
      HttpAnswer a = once(method, at, headers);
      int s = a.status();
      if (!followRedirects || !(s == 301 || s == 302 || s == 303 || s == 307 || s == 308)) {
        return a;
      }
      Optional<String> location = a.header("Location");
      a.close();
      if (location.isEmpty()) {
        throw new IOException("HTTP " + s + " without a Location for " + at);
      }
      if (hop + 1 >= MAX_REDIRECTS) {
        throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + url);
      }
      URI next;
      try {
        next = at.resolve(location.get().trim());
      } catch (IllegalArgumentException e) {
        throw new IOException("HTTP " + s + " to a bad Location '" + location.get() + "'", e);
      }
      if (next.getScheme() == null
          || !(next.getScheme().equals("http") || next.getScheme().equals("https"))) {
        throw new IOException("HTTP " + s + " to a Location that is not http(s): " + next);
      }
      if (at.getScheme().equals("https") && next.getScheme().equals("http")) {
        throw new IOException("refused a redirect from https to http: " + at + " -> " + next);
      }
      at = next;
    }
  }

  private HttpAnswer once(String method, URI url, Map<String, String> headers) throws IOException {
    sent.incrementAndGet();
    Request r =
        client
            .newRequest(url)
            .method(method)
            .idleTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .headers(
                h -> {
                  for (Map.Entry<String, String> e : headers.entrySet()) {
                    h.put(e.getKey(), e.getValue());
                  }
                });
    InputStreamResponseListener listener = new InputStreamResponseListener();
    r.send(listener);
    Response response;
    try {
      response = listener.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      r.abort(e);
      throw new SocketTimeoutException("no answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      r.abort(e);
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    } catch (ExecutionException e) {
      throw asIo(e.getCause());
    }
    SocketAddress from =
        r.getConnection() == null ? null : r.getConnection().getRemoteSocketAddress();
    return new HttpAnswer(
        response, listener.getInputStream(), from instanceof InetSocketAddress i ? i : null, url);
  }

  private IOException asIo(Throwable x) {
    if (x instanceof TimeoutException) {
      SocketTimeoutException t =
          new SocketTimeoutException("no answer within " + timeout.toMillis() + " ms");
      t.initCause(x);
      return t;
    }
    if (x instanceof IOException io) {
      return io;
    }
    return new IOException(x == null ? "request failed" : x.toString(), x);
  }

  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      // stopping: nothing left to do with it
    }
  }
}
