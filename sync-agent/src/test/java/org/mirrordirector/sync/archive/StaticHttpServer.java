package org.mirrordirector.sync.archive;

import java.net.URI;
import java.nio.file.Path;
import org.eclipse.jetty.http.content.HttpContent;
import org.eclipse.jetty.http.content.ResourceHttpContentFactory;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.ResourceFactory;

/** A real Jetty server on 127.0.0.1 serving a directory, as a plain mirror does. */
public final class StaticHttpServer implements AutoCloseable {
  private final Server server;
  private final URI base;

  public StaticHttpServer(Path root) throws Exception {
    server = new Server();
    ServerConnector c = new ServerConnector(server);
    c.setHost("127.0.0.1");
    c.setPort(0);
    server.addConnector(c);
    ResourceHandler files =
        new ResourceHandler() {
          // A mirror's tree changes under it during tests; never serve a cached copy.
          @Override
          protected HttpContent.Factory newHttpContentFactory(ByteBufferPool.Sized pool) {
            return new ResourceHttpContentFactory(getBaseResource(), getMimeTypes(), pool);
          }
        };
    files.setBaseResource(ResourceFactory.of(server).newResource(root));
    files.setDirAllowed(false);
    server.setHandler(files);
    server.start();
    base = URI.create("http://127.0.0.1:" + c.getLocalPort() + "/");
  }

  public URI base() {
    return base;
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
