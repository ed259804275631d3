package org.mirrordirector.director;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.mirrordirector.failover.ClusterView;

/**
 * The redirector alone in a real Jetty server on 127.0.0.1 (any free port), over a fixed view, file
 * knowledge and local tree: for tests that drive it with real clients (apt, many connections).
 */
final class TestDirector implements AutoCloseable {
  final Server server = new Server();
  final RedirectStats stats = RedirectStats.fiveMinutes();
  private final ServerConnector connector = new ServerConnector(server);

  TestDirector(ClusterView view, FileKnowledge files, Path tree) throws Exception {
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        new RedirectHandler(
            List.of("/raspbian/"),
            new MirrorSelector(SelectionPolicy.defaults()),
            () -> view,
            () -> files,
            () -> Optional.of(tree),
            TrustedProxies.none(),
            ClientLocation::unknown,
            stats,
            new DirectorMetrics(() -> view, () -> true, null)));
    server.start();
  }

  /** The archive root's URL, e.g. {@code http://127.0.0.1:PORT/raspbian/}. */
  String root() {
    return "http://127.0.0.1:" + connector.getLocalPort() + "/raspbian/";
  }

  /** The client ports of the connections the server still holds open. */
  java.util.Set<Integer> openClientPorts() {
    java.util.Set<Integer> ports = new java.util.HashSet<>();
    for (var e : connector.getConnectedEndPoints()) {
      if (e.getRemoteSocketAddress() instanceof java.net.InetSocketAddress a) {
        ports.add(a.getPort());
      }
    }
    return ports;
  }

  int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
