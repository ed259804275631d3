package org.mirrordirector.ops.demo;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * The demo's public mirrors: a static file server per mirror tree, each on its own port; a soak
 * stops one (connections refused) and starts it again on the same port.
 */
public final class DemoMirrors implements AutoCloseable {
  private final Map<String, Server> servers = new ConcurrentHashMap<>();
  private final Map<String, Path> roots = new ConcurrentHashMap<>();
  private final Map<String, Integer> ports = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> probes = new ConcurrentHashMap<>();

  /** Serves {@code root} as mirror {@code name} on {@code port}; returns its base URL. */
  public String start(String name, Path root, int port) throws Exception {
    AtomicLong count = probes.computeIfAbsent("mirror-" + name, k -> new AtomicLong());
    Server s = server(root, port, count);
    servers.put(name, s);
    roots.put(name, root);
    ports.put(name, port);
    return "http://127.0.0.1:" + ((ServerConnector) s.getConnectors()[0]).getLocalPort() + "/";
  }

  /** A mirror's server stops: connections to it are refused. */
  public void drop(String name) {
    stopQuietly(require(name));
  }

  /** A dropped mirror's server starts again, on its port, over its tree. */
  public void bringBack(String name) throws Exception {
    if (require(name).isStarted()) {
      return;
    }
    servers.put(name, server(roots.get(name), ports.get(name), probes.get("mirror-" + name)));
  }

  private Server require(String name) {
    Server s = servers.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no mirror '" + name + "' in the demo");
    }
    return s;
  }

  /** The prober's requests each mirror answered so far, by mirror id. */
  public Map<String, Long> probeRequests() {
    Map<String, Long> out = new TreeMap<>();
    probes.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /**
   * A public mirror: a plain static file server over its tree, as nginx is, with ETags and without
   * a content cache (the tree changes under it); it counts the prober's requests.
   */
  public static Server server(Path root, int port, AtomicLong probes) throws Exception {
    Server s = new Server();
    ServerConnector c = new ServerConnector(s);
    c.setHost("127.0.0.1");
    c.setPort(port);
    s.addConnector(c);
    ResourceHandler h =
        new ResourceHandler() {
          @Override
          protected org.eclipse.jetty.http.content.HttpContent.Factory newHttpContentFactory(
              org.eclipse.jetty.io.ByteBufferPool.Sized pool) {
            return new org.eclipse.jetty.http.content.ResourceHttpContentFactory(
                getBaseResource(), getMimeTypes(), pool);
          }
        };
    h.setBaseResource(ResourceFactory.of(h).newResource(root));
    h.setDirAllowed(true);
    h.setEtags(true);
    s.setHandler(
        new org.eclipse.jetty.server.Handler.Wrapper(h) {
          @Override
          public boolean handle(
              org.eclipse.jetty.server.Request request,
              org.eclipse.jetty.server.Response response,
              org.eclipse.jetty.util.Callback callback)
              throws Exception {
            String agent = request.getHeaders().get("User-Agent");
            if (agent != null && agent.startsWith("mirrordirector-prober")) {
              probes.incrementAndGet();
            }
            return super.handle(request, response, callback);
          }
        });
    s.start();
    return s;
  }

  private static void stopQuietly(Server s) {
    try {
      s.stop();
    } catch (Exception e) {
      // stopping is best effort: the port is freed either way
    }
  }

  @Override
  public void close() {
    servers.values().forEach(DemoMirrors::stopQuietly);
  }
}
