package org.mirrordirector.director;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.FencedOutException;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.Payloads.MirrorConfig;
import org.mirrordirector.failover.Payloads.Role;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryWriter;

/**
 * The operators' API: {@code POST /admin/mirrors/ID/drain} (no new clients are sent there) and
 * {@code POST /admin/mirrors/ID/enable} (back in service), with {@code Authorization: Bearer TOKEN}
 * (the token from the node's config, compared in constant time). The change is a fenced registry
 * write, so only the active node makes it; a standby answers 503 and names no secret.
 */
public final class AdminApi extends Handler.Wrapper {
  private static final String PREFIX = "/admin/mirrors/";

  private final byte[] token;
  private final Supplier<ClusterView> view;
  private final Leadership leadership;
  private final RegistryWriter writer;

  public AdminApi(
      String token,
      Supplier<ClusterView> view,
      Leadership leadership,
      RegistryPaths paths,
      Handler next) {
    super(next);
    if (token == null
        || token.length() < 16
        || token.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
      throw new IllegalArgumentException(
          "the admin token must be at least 16 printable characters without spaces");
    }
    this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.view = view;
    this.leadership = leadership;
    this.writer = new RegistryWriter(leadership, paths);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    if (path == null || !path.startsWith("/admin/")) {
      return super.handle(request, response, callback);
    }
    String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (auth == null || !MessageDigest.isEqual(token, auth.getBytes(StandardCharsets.UTF_8))) {
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      return answer(response, callback, 401, "a valid admin token is required");
    }
    if (!HttpMethod.POST.is(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST");
      return answer(response, callback, 405, "use POST");
    }
    String[] parts =
        path.startsWith(PREFIX) ? path.substring(PREFIX.length()).split("/", -1) : new String[0];
    if (parts.length != 2 || !(parts[1].equals("drain") || parts[1].equals("enable"))) {
      return answer(
          response, callback, 404, "POST /admin/mirrors/ID/drain or /admin/mirrors/ID/enable");
    }
    String id = parts[0];
    try {
      RegistryPaths.requireId("mirror", id);
    } catch (IllegalArgumentException e) {
      return answer(response, callback, 400, e.getMessage());
    }
    ClusterView.Mirror m = view.get().mirrors().get(id);
    if (m == null) {
      return answer(response, callback, 404, "no mirror '" + id + "' is registered");
    }
    if (leadership.role() != Role.ACTIVE) {
      return answer(response, callback, 503, "this node is not the active node; ask the leader");
    }
    boolean drain = parts[1].equals("drain");
    MirrorConfig c = m.config();
    MirrorConfig changed =
        new MirrorConfig(
            c.id(),
            c.baseUrls(),
            c.country(),
            c.continent(),
            c.latitude(),
            c.longitude(),
            c.asn(),
            c.prefixes(),
            c.weight(),
            c.countryOnly(),
            drain ? c.enabled() : true,
            drain);
    // A registry write blocks: it runs on a pool thread, never on the thread that reads requests.
    request
        .getComponents()
        .getThreadPool()
        .execute(
            () -> {
              try {
                writer.putMirror(changed);
                answer(
                    response,
                    callback,
                    200,
                    "mirror "
                        + id
                        + (drain ? " drained" : " enabled")
                        + " in epoch "
                        + leadership.epoch());
              } catch (FencedOutException e) {
                answer(response, callback, 503, "this node lost the leadership: " + e.getMessage());
              } catch (Exception e) {
                answer(response, callback, 503, "the registry write failed: " + e);
              }
            });
    return true;
  }

  private static boolean answer(Response response, Callback callback, int status, String text) {
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }
}
