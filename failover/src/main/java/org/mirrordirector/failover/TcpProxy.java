package org.mirrordirector.failover;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of one ZooKeeper server, that a test or a drill can cut: while
 * cut, bytes are swallowed in both directions (a network partition, not a refused connection), so
 * the client only learns of it by its own timeouts. Restoring drops the stalled connections. The
 * drill's isolate mode puts one in front of ZooKeeper for each node: the node goes on answering
 * clients while it is cut off from the registry.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final InetAddress source;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  public boolean isCut() {
    return cut;
  }

  private volatile boolean closed;

  public TcpProxy(int targetPort) throws IOException {
    this(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), null);
  }

  /**
   * A proxy on a free loopback port to {@code target}, whose connections to the target leave from
   * {@code source} (null: any), so that the target sees another client address: on Linux every
   * 127.0.0.0/8 address is the loopback's.
   */
  public TcpProxy(InetSocketAddress target, InetAddress source) throws IOException {
    this.target = target;
    this.source = source;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public String connectString() {
    return "127.0.0.1:" + port();
  }

  public void cut() {
    cut = true;
  }

  public void restore() {
    cut = false;
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        try {
          if (source != null) {
            upstream.bind(new InetSocketAddress(source, 0));
          }
          upstream.connect(target, 2000);
        } catch (IOException e) {
          closeQuietly(client);
          continue;
        }
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                  if (!cut) {
                    out.write(buf, 0, n);
                    out.flush();
                  }
                }
              } catch (IOException e) {
                // either side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    restore();
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
