package org.mirrordirector.director;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.DrillRecord;
import org.mirrordirector.failover.FencedOutException;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryWriter;
import org.mirrordirector.failover.Role;

/**
 * The operators' API: {@code PUT /admin/mirrors/ID} (add or replace a mirror, JSON), {@code POST
 * /admin/mirrors/ID/drain} (no new clients are sent there) and {@code POST
 * /admin/mirrors/ID/enable} (back in service), with {@code Authorization: Bearer TOKEN} (the token
 * from the node's config, compared in constant time). The change is a fenced registry write, so
 * only the active node makes it; a standby answers 503 and names no secret.
 */
public final class AdminApi extends Handler.Wrapper {
  private static final String PREFIX = "/admin/mirrors/";
  private static final int MAX_BODY = 64 * 1024;
  private static final com.fasterxml.jackson.databind.ObjectMapper STRICT =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .configure(
              com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
              true);
  private static final String FIELDS =
      java.util.Arrays.stream(MirrorConfig.class.getRecordComponents())
          .map(java.lang.reflect.RecordComponent::getName)
          .toList()
          .toString();

  private final byte[] token;
  private final Supplier<ClusterView> view;
  private final Leadership leadership;
  private final RegistryWriter writer;

  private final String firstName;

  /** A node's further archives: their views and their registry writers, by name. */
  private final Map<String, Supplier<ClusterView>> views = new java.util.HashMap<>();

  private final Map<String, RegistryWriter> writers = new java.util.HashMap<>();

  public AdminApi(
      String token,
      Supplier<ClusterView> view,
      Leadership leadership,
      RegistryPaths paths,
      Handler next) {
    this(token, view, leadership, paths, null, Map.of(), next);
  }

  /**
   * With further archives: {@code /admin/archives/NAME/mirrors/ID} is archive NAME's mirror (its
   * view and its registry paths), {@code /admin/mirrors/ID} the first archive's.
   */
  public AdminApi(
      String token,
      Supplier<ClusterView> view,
      Leadership leadership,
      RegistryPaths paths,
      String firstName,
      Map<String, Supplier<ClusterView>> moreViews,
      Handler next) {
    super(next);
    this.firstName = firstName;
    for (Map.Entry<String, Supplier<ClusterView>> e : moreViews.entrySet()) {
      views.put(e.getKey(), e.getValue());
      writers.put(e.getKey(), new RegistryWriter(leadership, paths.forArchive(e.getKey())));
    }
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
    if (path.equals("/admin/drills")) {
      return drill(request, response, callback);
    }
    Supplier<ClusterView> view = this.view;
    RegistryWriter writer = this.writer;
    if (path.startsWith("/admin/archives/")) {
      String[] a = path.substring("/admin/archives/".length()).split("/", 2);
      if (a[0].equals(firstName) && a.length == 2) {
        a = new String[] {null, a[1]}; // the first archive, named
      } else if (!views.containsKey(a[0]) || a.length < 2) {
        return answer(
            response,
            callback,
            404,
            "no archive '"
                + a[0]
                + "' here; the archives are "
                + firstName
                + " and "
                + views.keySet());
      }
      if (a[0] != null) {
        view = views.get(a[0]);
        writer = writers.get(a[0]);
      }
      path = "/admin/" + a[1];
    }
    RegistryWriter w = writer;
    String[] parts =
        path.startsWith(PREFIX) ? path.substring(PREFIX.length()).split("/", -1) : new String[0];
    boolean put = HttpMethod.PUT.is(request.getMethod());
    if (put ? parts.length != 1 : parts.length != 2) {
      return answer(
          response,
          callback,
          404,
          "PUT /admin/mirrors/ID (a mirror's JSON), POST /admin/mirrors/ID/drain or"
              + " /admin/mirrors/ID/enable");
    }
    if (!put && !HttpMethod.POST.is(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST");
      return answer(response, callback, 405, "use POST");
    }
    if (!put && !(parts[1].equals("drain") || parts[1].equals("enable"))) {
      return answer(
          response, callback, 404, "POST /admin/mirrors/ID/drain or /admin/mirrors/ID/enable");
    }
    String id = parts[0];
    try {
      RegistryPaths.requireId("mirror", id);
    } catch (IllegalArgumentException e) {
      return answer(response, callback, 400, e.getMessage());
    }
    MirrorView m = view.get().mirrors().get(id);
    if (m == null && !put) {
      return answer(response, callback, 404, "no mirror '" + id + "' is registered");
    }
    if (leadership.role() != Role.ACTIVE) {
      return answer(response, callback, 503, "this node is not the active node; ask the leader");
    }
    long length = request.getLength();
    if (put && (length < 0 || length > MAX_BODY)) {
      return answer(
          response,
          callback,
          length < 0 ? 411 : 413,
          "send the mirror as JSON with a Content-Length of at most " + MAX_BODY + " bytes");
    }
    // Reading the body and the registry write block: they run on a pool thread, never on the
    // thread that reads requests.
    request
        .getComponents()
        .getThreadPool()
        .execute(
            () -> {
              MirrorConfig changed;
              try {
                changed =
                    put
                        ? parse(id, Content.Source.asString(request, StandardCharsets.UTF_8))
                        : toggled(m.config(), parts[1].equals("drain"));
              } catch (IllegalArgumentException e) {
                answer(response, callback, 400, e.getMessage());
                return;
              } catch (Exception e) {
                answer(response, callback, 400, "cannot read the request body: " + e);
                return;
              }
              try {
                w.putMirror(changed);
                String what =
                    put
                        ? (m == null ? " added" : " replaced")
                        : changed.drained() ? " drained" : " enabled";
                answer(
                    response,
                    callback,
                    200,
                    "mirror " + id + what + " in epoch " + leadership.epoch());
              } catch (FencedOutException e) {
                answer(response, callback, 503, "this node lost the leadership: " + e.getMessage());
              } catch (Exception e) {
                answer(response, callback, 503, "the registry write failed: " + e);
              }
            });
    return true;
  }

  /** {@code POST /admin/drills}: a drill's record, kept in the registry for the status page. */
  private boolean drill(Request request, Response response, Callback callback) {
    if (!HttpMethod.POST.is(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST");
      return answer(response, callback, 405, "use POST");
    }
    if (leadership.role() != Role.ACTIVE) {
      return answer(response, callback, 503, "this node is not the active node; ask the leader");
    }
    long length = request.getLength();
    if (length < 0 || length > MAX_BODY) {
      return answer(
          response,
          callback,
          length < 0 ? 411 : 413,
          "send the drill as JSON with a Content-Length of at most " + MAX_BODY + " bytes");
    }
    request
        .getComponents()
        .getThreadPool()
        .execute(
            () -> {
              DrillRecord d;
              try {
                d =
                    STRICT.readValue(
                        Content.Source.asString(request, StandardCharsets.UTF_8),
                        DrillRecord.class);
                if (d == null) {
                  throw new IllegalArgumentException("empty");
                }
              } catch (Exception e) {
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) {
                  root = root.getCause();
                }
                answer(response, callback, 400, "not a drill record: " + root.getMessage());
                return;
              }
              try {
                writer.addDrill(d);
                answer(
                    response,
                    callback,
                    200,
                    "drill " + d.id() + " recorded in epoch " + leadership.epoch());
              } catch (FencedOutException e) {
                answer(response, callback, 503, "this node lost the leadership: " + e.getMessage());
              } catch (Exception e) {
                answer(response, callback, 503, "the registry write failed: " + e);
              }
            });
    return true;
  }

  private static MirrorConfig toggled(MirrorConfig c, boolean drain) {
    return c.withSwitches(drain ? c.enabled() : true, drain);
  }

  /**
   * A mirror from its JSON; the message of a bad one names the field. Unknown fields are errors (an
   * operator's typo must not silently become a default).
   */
  static MirrorConfig parse(String id, String json) {
    MirrorConfig c;
    try {
      c = STRICT.readValue(json, MirrorConfig.class);
    } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
      throw new IllegalArgumentException(
          "unknown field '" + e.getPropertyName() + "'; the fields are " + FIELDS);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      if (root instanceof IllegalArgumentException) {
        throw (IllegalArgumentException) root;
      }
      throw new IllegalArgumentException("not a mirror's JSON: " + e.getOriginalMessage());
    }
    if (c == null) {
      throw new IllegalArgumentException("not a mirror's JSON: empty");
    }
    if (!id.equals(c.id())) {
      throw new IllegalArgumentException(
          "the body's id '" + c.id() + "' is not the id in the path '" + id + "'");
    }
    AddressBlocks.parse(c.prefixes(), "mirror " + id + " prefix");
    for (String country : c.countryOnly()) {
      if (!country.matches("[A-Z]{2}")) {
        throw new IllegalArgumentException(
            "mirror "
                + id
                + ": countryOnly entries must be two capital letters: '"
                + country
                + "'");
      }
    }
    return c;
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
