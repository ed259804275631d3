package org.mirrordirector.director;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.mirrordirector.director.MirrorSelector.Candidate;
import org.mirrordirector.director.MirrorSelector.Selection;
import org.mirrordirector.failover.ClusterView;

/**
 * Answers apt: GET and HEAD under the archive roots. A 302 to the chosen mirror (the Location is
 * the mirror's configured base plus the normalised, re-encoded path, nothing else), the file itself
 * from this node's verified snapshot when no mirror qualifies, or 503 with Retry-After when nothing
 * can serve. {@code ?explain} (or the header {@code X-Mirror-Explain: 1} from a trusted proxy, for
 * tools that must keep the apt URL as it is) returns the selection as JSON instead. A path that is
 * not safe is a 400 whose body says why; it never reaches a header.
 */
public final class RedirectHandler extends Handler.Abstract {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Where this node's verified snapshot trees are, for serving files itself. */
  public interface LocalTree {
    Optional<Path> current();

    /**
     * Every kept snapshot, the current one first. A pool or by-hash file that a client's older
     * indexes name is served from the kept snapshot that still has it, rather than a 404.
     */
    default List<Path> kept() {
      return current().map(List::of).orElse(List.of());
    }
  }

  private final List<String> roots;
  private final MirrorSelector selector;
  private final Supplier<ClusterView> view;
  private final Supplier<FileKnowledge> files;
  private final LocalTree local;
  private final TrustedProxies proxies;
  private final Function<String, ClientLocation> locate;
  private final RedirectStats stats;
  private final DirectorMetrics metrics;

  public RedirectHandler(
      List<String> roots,
      MirrorSelector selector,
      Supplier<ClusterView> view,
      Supplier<FileKnowledge> files,
      LocalTree local,
      TrustedProxies proxies,
      Function<String, ClientLocation> locate,
      RedirectStats stats,
      DirectorMetrics metrics) {
    // Redirects never block: Jetty may run them on the thread that read the request. Serving a
    // file from disk does, and is handed to a pool thread.
    super(InvocationType.NON_BLOCKING);
    for (String r : roots) {
      if (!r.startsWith("/") || !r.endsWith("/") || r.contains("//")) {
        throw new IllegalArgumentException("archive root must be like /raspbian/: '" + r + "'");
      }
    }
    this.roots = List.copyOf(roots);
    this.selector = selector;
    this.view = view;
    this.files = files;
    this.local = local;
    this.proxies = proxies;
    this.locate = locate;
    this.stats = stats;
    this.metrics = metrics;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String method = request.getMethod();
    boolean head = HttpMethod.HEAD.is(method);
    if (!head && !HttpMethod.GET.is(method)) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      return text(response, callback, 405, "only GET and HEAD\n", head);
    }
    RequestPath path;
    try {
      path = RequestPath.classify(request.getHttpURI().getPath(), roots);
    } catch (RequestPath.Rejected e) {
      return text(response, callback, e.status(), e.getMessage() + "\n", head);
    }
    String peer = Request.getRemoteAddr(request);
    String clientAddress = proxies.client(peer, request.getHeaders().get("X-Forwarded-For"));
    String scheme = request.getHttpURI().getScheme();
    String proto = request.getHeaders().get("X-Forwarded-Proto");
    if (proto != null
        && proxies.contains(peer)
        && (proto.equals("http") || proto.equals("https"))) {
      scheme = proto;
    }
    if (!"https".equals(scheme)) {
      scheme = "http";
    }
    ClientLocation client = locate.apply(clientAddress);
    if (path.kind() == RequestPath.Kind.OTHER && path.path().equals("mirrors.txt")) {
      return mirrorList(path, scheme, client, response, callback, head);
    }
    String query = request.getHttpURI().getQuery();
    boolean explain =
        (query != null && (query.equals("explain") || query.startsWith("explain=")))
            || ("1".equals(request.getHeaders().get("X-Mirror-Explain")) && proxies.contains(peer));
    long t0 = System.nanoTime();
    Selection s =
        selector.select(
            path, scheme, client, view.get(), files.get(), System.currentTimeMillis(), explain);
    metrics.selected(System.nanoTime() - t0);
    if (s.outcome() == MirrorSelector.Outcome.REDIRECT) {
      metrics.redirect(s.chosen().mirror(), path.kind());
    } else {
      metrics.fallback(s.outcome());
    }
    if (explain) {
      return json(response, callback, explain(s, client), head);
    }
    switch (s.outcome()) {
      case REDIRECT, FALLBACK_MIRROR -> {
        response.setStatus(302);
        response.getHeaders().put(HttpHeader.LOCATION, s.location());
        // Caches must not keep a redirect: the mirror that qualifies now may not in a minute.
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (s.chosen() != null) {
          response.getHeaders().put("X-Mirror", s.chosen().mirror());
        }
        stats.record(s.chosen() != null ? s.chosen().mirror() : "(fallback)");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        response.write(true, null, callback);
        return true;
      }
      case SERVE_LOCALLY -> {
        request
            .getComponents()
            .getThreadPool()
            .execute(
                () -> {
                  try {
                    serve(path, response, callback, head);
                  } catch (Throwable t) {
                    callback.failed(t);
                  }
                });
        return true;
      }
      default -> {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "60");
        return text(response, callback, 503, s.why() + "\n", head);
      }
    }
  }

  /**
   * An apt {@code mirror+http} list for this client: the mirrors at the current snapshot, best
   * first, each with its {@code priority:N} (1 is the first choice).
   */
  private boolean mirrorList(
      RequestPath path,
      String scheme,
      ClientLocation client,
      Response response,
      Callback callback,
      boolean head)
      throws RequestPath.Rejected {
    List<Candidate> ranked =
        selector.ranked(scheme, client, view.get(), files.get(), System.currentTimeMillis());
    StringBuilder sb = new StringBuilder();
    int priority = 1;
    for (Candidate c : ranked) {
      sb.append(c.base().endsWith("/") ? c.base() : c.base() + "/")
          .append("\tpriority:")
          .append(priority++)
          .append('\n');
    }
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (ranked.isEmpty()) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "60");
      return text(response, callback, 503, "no mirror is at the current snapshot\n", head);
    }
    return text(response, callback, 200, sb.toString(), head);
  }

  /** Serves the file from this node's current verified snapshot, or 503 when it has none. */
  private boolean serve(RequestPath path, Response response, Callback callback, boolean head)
      throws IOException {
    Optional<Path> tree = local.current();
    if (tree.isEmpty()) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "60");
      return text(
          response, callback, 503, "no mirror qualifies and this node has no snapshot\n", head);
    }
    Path f = inTree(tree.get(), path);
    if (f == null
        && (path.kind() == RequestPath.Kind.POOL || path.kind() == RequestPath.Kind.BY_HASH)) {
      for (Path older : local.kept()) {
        f = inTree(older, path);
        if (f != null) {
          break;
        }
      }
    }
    if (f == null) {
      return text(response, callback, 404, "not in any kept snapshot\n", head);
    }
    long size = Files.size(f);
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, size);
    response.getHeaders().put("X-Mirror", "director");
    stats.record(RedirectStats.LOCAL);
    if (head) {
      response.write(true, null, callback);
      return true;
    }
    try (InputStream in = Files.newInputStream(f);
        OutputStream out = Content.Sink.asOutputStream(response)) {
      in.transferTo(out);
      callback.succeeded();
    } catch (IOException e) {
      callback.failed(e);
    }
    return true;
  }

  /** The file in this tree, or null; the path is normalised already and cannot leave the tree. */
  private static Path inTree(Path tree, RequestPath path) {
    Path f = tree.resolve(path.path()).normalize();
    return f.startsWith(tree) && Files.isRegularFile(f) ? f : null;
  }

  private static Map<String, Object> explain(Selection s, ClientLocation client) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", s.path().path());
    m.put("kind", s.path().kind());
    m.put("scheme", s.scheme());
    m.put("client", client);
    m.put("outcome", s.outcome());
    m.put("location", s.location());
    m.put("chosen", s.chosen() == null ? null : s.chosen().mirror());
    m.put("why", s.why());
    List<Map<String, Object>> cs = new java.util.ArrayList<>();
    for (Candidate c : s.candidates()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("mirror", c.mirror());
      x.put("eligible", c.eligible());
      x.put("reason", c.reason());
      x.put("tier", c.tier());
      x.put("distanceKm", c.distanceKm() == null ? null : Math.round(c.distanceKm()));
      x.put("weight", c.weight());
      cs.add(x);
    }
    m.put("candidates", cs);
    return m;
  }

  private static boolean json(Response response, Callback callback, Object body, boolean head)
      throws IOException {
    byte[] data = JSON.writeValueAsBytes(body);
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, data.length);
    response.write(true, head ? null : java.nio.ByteBuffer.wrap(data), callback);
    return true;
  }

  private boolean text(
      Response response, Callback callback, int status, String body, boolean head) {
    if (status >= 400) {
      metrics.error(status);
    }
    byte[] data = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, data.length);
    response.write(true, head ? null : java.nio.ByteBuffer.wrap(data), callback);
    return true;
  }
}
