package org.mirrordirector.sync.probe;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.content.HttpContent;
import org.eclipse.jetty.http.content.ResourceHttpContentFactory;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A public mirror for the prober's tests: a real Jetty server over a tree on disk, over http or
 * https, optionally slow or failing every request with a fixed status.
 */
final class TestMirror implements AutoCloseable {
  private final Server server;
  private final URI base;
  private ServerConnector connector;
  final AtomicInteger conditionalRequests = new AtomicInteger();

  /**
   * When set, a HEAD of an InRelease answers 404 (what a wrong virtual host does), GET still works.
   */
  final java.util.concurrent.atomic.AtomicBoolean headOfInReleaseFails =
      new java.util.concurrent.atomic.AtomicBoolean();

  private TestMirror(Path tree, Path keyStore, long delayMs, int failWith) throws Exception {
    this(tree, keyStore, delayMs, failWith, "127.0.0.1");
  }

  private TestMirror(Path tree, Path keyStore, long delayMs, int failWith, String host)
      throws Exception {
    server = new Server();
    ServerConnector c;
    if (keyStore != null) {
      SslContextFactory.Server tls = new SslContextFactory.Server();
      tls.setKeyStorePath(keyStore.toString());
      tls.setKeyStorePassword(Tls.PASSWORD);
      tls.setKeyStoreType("PKCS12");
      c = new ServerConnector(server, tls);
    } else {
      c = new ServerConnector(server);
    }
    c.setHost(host);
    c.setPort(0);
    connector = c;
    server.addConnector(c);
    ResourceHandler files =
        new ResourceHandler() {
          @Override
          protected HttpContent.Factory newHttpContentFactory(ByteBufferPool.Sized pool) {
            return new ResourceHttpContentFactory(getBaseResource(), getMimeTypes(), pool);
          }
        };
    files.setBaseResource(ResourceFactory.of(server).newResource(tree));
    files.setDirAllowed(false);
    files.setEtags(true);
    server.setHandler(
        new Handler.Wrapper(files) {
          // It sleeps: Jetty must not call it on a selector thread.
          @Override
          public org.eclipse.jetty.util.thread.Invocable.InvocationType getInvocationType() {
            return org.eclipse.jetty.util.thread.Invocable.InvocationType.BLOCKING;
          }

          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            if (request.getHeaders().get("If-None-Match") != null
                || request.getHeaders().get("If-Modified-Since") != null) {
              conditionalRequests.incrementAndGet();
            }
            if (delayMs > 0) {
              Thread.sleep(delayMs);
            }
            if (failWith > 0) {
              Response.writeError(request, response, callback, failWith);
              return true;
            }
            if (headOfInReleaseFails.get()
                && request.getMethod().equals("HEAD")
                && request.getHttpURI().getPath().endsWith("/InRelease")) {
              Response.writeError(request, response, callback, 404);
              return true;
            }
            return super.handle(request, response, callback);
          }
        });
    server.start();
    String h = host.contains(":") ? "[" + host + "]" : host;
    base =
        URI.create(
            (keyStore != null ? "https" : "http") + "://" + h + ":" + c.getLocalPort() + "/");
  }

  static TestMirror http(Path tree) throws Exception {
    return new TestMirror(tree, null, 0, 0);
  }

  /** An http mirror listening on this address only (e.g. {@code ::1}: an IPv6-only mirror). */
  static TestMirror httpOn(Path tree, String host) throws Exception {
    return new TestMirror(tree, null, 0, 0, host);
  }

  /**
   * An https mirror listening on this address only ({@code ::} for every address, both families).
   */
  static TestMirror httpsOn(Path tree, Path keyStore, String host) throws Exception {
    return new TestMirror(tree, keyStore, 0, 0, host);
  }

  /** A mirror on this address that answers every request with {@code status}. */
  static TestMirror failingOn(Path tree, int status, String host) throws Exception {
    return new TestMirror(tree, null, 0, status, host);
  }

  static TestMirror https(Path tree, Path keyStore) throws Exception {
    return new TestMirror(tree, keyStore, 0, 0);
  }

  static TestMirror slow(Path tree, long delayMs) throws Exception {
    return new TestMirror(tree, null, delayMs, 0);
  }

  static TestMirror failing(Path tree, int status) throws Exception {
    return new TestMirror(tree, null, 0, status);
  }

  /** Ends a connection idle this long (Jetty's idle timeout). */
  void idleTimeout(long ms) {
    connector.setIdleTimeout(ms);
  }

  URI base() {
    return base;
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
