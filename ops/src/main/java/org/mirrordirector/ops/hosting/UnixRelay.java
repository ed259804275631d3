package org.mirrordirector.ops.hosting;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.mirrordirector.failover.net.Addresses;

/**
 * The way in from this machine to a load balancer inside network namespaces: listens on TCP
 * addresses here (127.0.0.1 and ::1) and relays every connection to a Unix socket that the balancer
 * listens on (a socket file crosses namespaces, an address does not), each preceded by a PROXY
 * protocol v1 line that names the client, so that the balancer sees the client's own address and
 * family. Stopped by {@link #close}.
 */
public final class UnixRelay implements AutoCloseable {
  private final List<ServerSocketChannel> listeners = new ArrayList<>();
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "unix-relay");
            t.setDaemon(true);
            return t;
          });
  private final Path socket;
  private final int port;
  private volatile boolean closed;

  /**
   * @param hosts the addresses to listen on, all on one port
   * @param port the port ({@code 0}: a free one, the same for every address)
   * @param socket the balancer's Unix socket
   */
  public UnixRelay(List<String> hosts, int port, Path socket) throws IOException {
    this.socket = socket;
    int chosen = port;
    try {
      for (String h : hosts) {
        ServerSocketChannel s = ServerSocketChannel.open();
        listeners.add(s);
        s.bind(new InetSocketAddress(InetAddress.getByName(h), chosen));
        chosen = ((InetSocketAddress) s.getLocalAddress()).getPort();
      }
    } catch (IOException e) {
      close();
      throw new IOException("cannot listen on " + hosts + " port " + chosen + ": " + e, e);
    }
    this.port = chosen;
    for (ServerSocketChannel s : listeners) {
      threads.execute(() -> accept(s));
    }
  }

  /** The port it listens on. */
  public int port() {
    return port;
  }

  private void accept(ServerSocketChannel s) {
    while (!closed) {
      try {
        SocketChannel client = s.accept();
        threads.execute(() -> relay(client));
      } catch (IOException e) {
        if (!closed) {
          System.err.println("unix-relay: accept failed: " + e);
        }
        return;
      }
    }
  }

  private void relay(SocketChannel client) {
    open.add(client);
    try (client;
        SocketChannel balancer = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      open.add(balancer);
      balancer.connect(UnixDomainSocketAddress.of(socket));
      balancer.write(
          ByteBuffer.wrap(
              proxyLine(
                      (InetSocketAddress) client.getRemoteAddress(),
                      (InetSocketAddress) client.getLocalAddress())
                  .getBytes(StandardCharsets.US_ASCII)));
      threads.execute(() -> pump(balancer, client));
      pump(client, balancer);
    } catch (IOException e) {
      // the client or the balancer went away: the connection ends
    } finally {
      open.remove(client);
    }
  }

  /** Copies until the end of {@code from}, then ends the output of {@code to}. */
  private static void pump(SocketChannel from, SocketChannel to) {
    ByteBuffer b = ByteBuffer.allocate(64 * 1024);
    try {
      while (from.read(b) >= 0) {
        b.flip();
        while (b.hasRemaining()) {
          to.write(b);
        }
        b.clear();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      try {
        to.close();
        from.close();
      } catch (IOException ignored) {
        // closing already
      }
    }
  }

  /** The PROXY protocol v1 line for a connection from {@code client} to {@code local}. */
  static String proxyLine(InetSocketAddress client, InetSocketAddress local) {
    boolean six = client.getAddress() instanceof java.net.Inet6Address;
    return "PROXY "
        + (six ? "TCP6 " : "TCP4 ")
        + Addresses.text(client.getAddress())
        + " "
        + Addresses.text(local.getAddress())
        + " "
        + client.getPort()
        + " "
        + local.getPort()
        + "\r\n";
  }

  @Override
  public void close() {
    closed = true;
    for (ServerSocketChannel s : listeners) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    for (SocketChannel c : open) {
      try {
        c.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    threads.shutdownNow();
  }
}
