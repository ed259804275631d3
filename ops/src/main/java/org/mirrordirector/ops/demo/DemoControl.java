package org.mirrordirector.ops.demo;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The demo's fault switchboard, for {@code mirrorctl drill} in another process: the node processes
 * are the demo's children and the ZooKeeper proxies live in it. On 127.0.0.1 only, behind the
 * demo's admin token. {@code GET /nodes}: each node's pid, whether it is alive, and whether its
 * ZooKeeper link is cut. {@code POST /nodes/ID/ACTION} with ACTION one of start (a stopped node
 * again), term (SIGTERM, waits for the exit), kill (SIGKILL), stop (SIGSTOP), cont (SIGCONT), cut
 * and restore (its link to ZooKeeper; for a replica, its region's observer's links to the voters).
 */
public final class DemoControl extends Handler.Abstract.NonBlocking {
  private final NodeSwitchboard demo;
  private final byte[] auth;

  private DemoControl(NodeSwitchboard demo, String token) {
    this.demo = demo;
    this.auth = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  public static Server start(NodeSwitchboard demo, String token, int port) throws Exception {
    Server s = new Server();
    ServerConnector c = new ServerConnector(s);
    c.setHost("127.0.0.1");
    c.setPort(port);
    s.addConnector(c);
    s.setHandler(new DemoControl(demo, token));
    s.start();
    return s;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String a = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (a == null || !MessageDigest.isEqual(auth, a.getBytes(StandardCharsets.UTF_8))) {
      return answer(response, callback, 401, "the demo's admin token is required");
    }
    String path = request.getHttpURI().getPath();
    if (HttpMethod.GET.is(request.getMethod()) && "/nodes".equals(path)) {
      StringBuilder b = new StringBuilder("{");
      for (Map.Entry<String, Process> e : demo.nodes().entrySet()) {
        if (b.length() > 1) {
          b.append(',');
        }
        b.append('"')
            .append(e.getKey())
            .append("\":{\"pid\":")
            .append(e.getValue().pid())
            .append(",\"alive\":")
            .append(e.getValue().isAlive())
            .append(",\"cut\":")
            .append(demo.isCut(e.getKey()))
            .append('}');
      }
      return answer(response, callback, 200, b.append('}').toString());
    }
    String[] p = path.split("/", -1);
    if (!HttpMethod.POST.is(request.getMethod()) || p.length != 4 || !p[1].equals("nodes")) {
      return answer(response, callback, 404, "GET /nodes or POST /nodes/ID/ACTION");
    }
    String id = p[2];
    String action = p[3];
    Process proc = demo.nodes().get(id);
    if (proc == null) {
      return answer(response, callback, 404, "no node '" + id + "'");
    }
    // Waiting for a process is blocking: off the selector thread.
    request
        .getComponents()
        .getThreadPool()
        .execute(
            () -> {
              try {
                answer(response, callback, 200, demo.act(id, action));
              } catch (IllegalArgumentException e) {
                answer(response, callback, 400, e.getMessage());
              } catch (Exception e) {
                answer(response, callback, 500, action + " " + id + ": " + e);
              }
            });
    return true;
  }

  private static boolean answer(Response response, Callback callback, int status, String text) {
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response
        .getHeaders()
        .put(
            HttpHeader.CONTENT_TYPE,
            text.startsWith("{") ? "application/json" : "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }
}
