package org.mirrordirector.director;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The node's health endpoints, for load balancers and orchestration; everything else goes to the
 * next handler (the redirector).
 *
 * <ul>
 *   <li>{@code /leader}: 200 only while this node serves as the leader (ACTIVE, connected, and a
 *       round trip to the ZooKeeper quorum fresh enough); 503 otherwise. HAProxy checks it.
 *   <li>{@code /ready}: 200 when this node can answer clients (it has a view of the cluster and a
 *       verified snapshot); 503 with the reason otherwise.
 * </ul>
 */
public final class NodeEndpoints extends Handler.Wrapper {
  private final BooleanSupplier servingAsLeader;
  private final Supplier<Optional<String>> notReady;

  /**
   * @param notReady why the node cannot answer clients yet, or empty when it can
   */
  public NodeEndpoints(
      BooleanSupplier servingAsLeader, Supplier<Optional<String>> notReady, Handler next) {
    super(next);
    this.servingAsLeader = servingAsLeader;
    this.notReady = notReady;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    if ("/leader".equals(path)) {
      boolean leader = servingAsLeader.getAsBoolean();
      return answer(
          response, callback, leader ? 200 : 503, leader ? "leader\n" : "not the leader\n");
    }
    if ("/ready".equals(path)) {
      Optional<String> why = notReady.get();
      return answer(
          response, callback, why.isEmpty() ? 200 : 503, why.map(w -> w + "\n").orElse("ready\n"));
    }
    return super.handle(request, response, callback);
  }

  private static boolean answer(Response response, Callback callback, int status, String body) {
    byte[] data = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, data.length);
    response.write(true, ByteBuffer.wrap(data), callback);
    return true;
  }
}
