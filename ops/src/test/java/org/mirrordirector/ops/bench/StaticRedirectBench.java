package org.mirrordirector.ops.bench;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Benchmark reference (not a test): Jetty with the director's connector settings answering every
 * request with a static 302, like nginx's {@code return 302}. It shows what Jetty itself costs,
 * apart from the director's work. Run by ops/bench/director-bench.sh.
 */
public final class StaticRedirectBench {
  private StaticRedirectBench() {}

  public static void main(String[] args) throws Exception {
    Server server = new Server(new QueuedThreadPool(200, 8));
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setHeaderCacheSize(0); // as the director does
    ServerConnector c =
        new ServerConnector(
            server, 1, Runtime.getRuntime().availableProcessors(), new HttpConnectionFactory(http));
    c.setHost("127.0.0.1");
    c.setPort(Integer.parseInt(args[0]));
    c.setAcceptQueueSize(16384);
    server.addConnector(c);
    server.setHandler(
        new Handler.Abstract.NonBlocking() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(302);
            response
                .getHeaders()
                .put(
                    HttpHeader.LOCATION,
                    "http://mirror.example.org" + request.getHttpURI().getPath());
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
            response.write(true, null, callback);
            return true;
          }
        });
    server.start();
    System.out.println("ready on 127.0.0.1:" + c.getLocalPort());
    server.join();
  }
}
