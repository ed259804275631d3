package org.mirrordirector.sync.net;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;

/**
 * One answer: its status and headers, its body as a stream (empty for HEAD), and the address that
 * answered. Close it to give the connection back.
 */
public final class HttpAnswer implements Closeable {
  private final Response response;
  private final InputStream body;
  private final InetSocketAddress from;
  private final URI url;

  HttpAnswer(Response response, InputStream body, InetSocketAddress from, URI url) {
    this.response = response;
    this.body = body;
    this.from = from;
    this.url = url;
  }

  public int status() {
    return response.getStatus();
  }

  public Optional<String> header(String name) {
    return Optional.ofNullable(response.getHeaders().get(name));
  }

  /** Content-Length, or -1 when absent or not a number. */
  public long contentLength() {
    return response.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
  }

  public InputStream body() {
    return body;
  }

  /** The address that answered (the last hop's, after redirects); null if unknown. */
  public InetSocketAddress answeredBy() {
    return from;
  }

  /** The URL that answered (the last hop's, after redirects). */
  public URI url() {
    return url;
  }

  /**
   * Reads what is left of a small body first (up to 64 KiB), so that the connection stays open for
   * the next request; a larger rest is cut off with the connection.
   */
  @Override
  public void close() throws IOException {
    try {
      byte[] buf = new byte[8192];
      long left = 64 << 10;
      int n;
      while (left > 0 && (n = body.read(buf, 0, (int) Math.min(buf.length, left))) >= 0) {
        left -= n;
      }
    } catch (IOException e) {
      // the connection goes with the body
    } finally {
      body.close();
    }
  }
}
