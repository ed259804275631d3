package org.mirrordirector.sync.net;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.Promise;
import org.mirrordirector.failover.net.ConnectedChannel;
import org.mirrordirector.failover.net.HappyEyeballs;

/**
 * Jetty's client connector, connecting as {@link HappyEyeballs} does: Jetty hands it the host name
 * unresolved ({@link #UNRESOLVED}), a thread of its own races the addresses, and the channel that
 * won is given to Jetty as connected. Jetty's own connector tries one address at a time.
 */
final class HappyEyeballsConnector extends ClientConnector {
  /** The resolver for Jetty's client: the host name as it is, for {@link #connect} to resolve. */
  static final org.eclipse.jetty.util.SocketAddressResolver UNRESOLVED =
      (host, port, context, promise) ->
          promise.succeeded(java.util.List.of(InetSocketAddress.createUnresolved(host, port)));

  private final HappyEyeballs eyeballs;
  private final ExecutorService connecting =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "happy-eyeballs");
            t.setDaemon(true);
            return t;
          });

  HappyEyeballsConnector(HappyEyeballs eyeballs) {
    this.eyeballs = eyeballs;
  }

  @Override
  public void connect(SocketAddress address, Map<String, Object> context) {
    InetSocketAddress to = (InetSocketAddress) address;
    try {
      connecting.execute(() -> race(to, context));
    } catch (RejectedExecutionException e) {
      fail(context, new java.io.IOException("the client is stopping", e));
    }
  }

  private void race(InetSocketAddress to, Map<String, Object> context) {
    ConnectedChannel c;
    try {
      c = eyeballs.connect(to.getHostString(), to.getPort(), getConnectTimeout());
    } catch (Throwable x) {
      fail(context, x);
      return;
    }
    try {
      c.channel().configureBlocking(false);
      configure(c.channel());
      context.put(REMOTE_SOCKET_ADDRESS_CONTEXT_KEY, c.address());
      accept(c.channel(), context);
    } catch (Throwable x) {
      try {
        c.channel().close();
      } catch (java.io.IOException ignored) {
        // already failing
      }
      fail(context, x);
    }
  }

  @SuppressWarnings("unchecked")
  private static void fail(Map<String, Object> context, Throwable x) {
    Object p = context.get(CONNECTION_PROMISE_CONTEXT_KEY);
    if (p instanceof Promise<?> promise) {
      ((Promise<Object>) promise).failed(x);
    }
  }

  @Override
  protected void doStop() throws Exception {
    connecting.shutdownNow();
    super.doStop();
  }
}
