package org.mirrordirector.director;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
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
  // Each mirror's counters (the metric by kind, the status page's window), found with one lookup
  // per redirect instead of one in each.
  private final java.util.concurrent.ConcurrentHashMap<String, Tally> tallies =
      new java.util.concurrent.ConcurrentHashMap<>();

  private record Tally(DirectorMetrics.MirrorRedirects metric, RedirectStats.Window window) {}

  private Tally tally(String mirror) {
    Tally t = tallies.get(mirror);
    return t != null
        ? t
        : tallies.computeIfAbsent(mirror, m -> new Tally(metrics.redirects(m), stats.window(m)));
  }

  private volatile boolean annotate;
  private final DirectorMetrics metrics;
  private final CatchUp catchUp;
  private final java.util.concurrent.ScheduledExecutorService holds;
  private final java.util.concurrent.atomic.AtomicInteger holding =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Requests held at once; more are answered at once. */
  private static final int MAX_HELD = 10_000;

  /** How often a held request is decided again. */
  private static final long HOLD_TICK_MILLIS = 200;

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
    this(roots, selector, view, files, local, proxies, locate, stats, metrics, CatchUp.NONE);
  }

  /**
   * @param catchUp asked to look for newer snapshots when a request is held ({@link
   *     SelectionPolicy#holdFor()})
   */
  public RedirectHandler(
      List<String> roots,
      MirrorSelector selector,
      Supplier<ClusterView> view,
      Supplier<FileKnowledge> files,
      LocalTree local,
      TrustedProxies proxies,
      Function<String, ClientLocation> locate,
      RedirectStats stats,
      DirectorMetrics metrics,
      CatchUp catchUp) {
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
    this.catchUp = catchUp;
    this.holds =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "director-holds");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  protected void doStop() throws Exception {
    holds.shutdownNow();
    super.doStop();
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
    String clientAddress = proxies.client(peer, TrustedProxies.forwardedFor(request.getHeaders()));
    String scheme = request.getHttpURI().getScheme();
    String proto = TrustedProxies.forwardedProto(request.getHeaders());
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
      return mirrorList(
          path, scheme, client, request.getHttpURI().getAuthority(), response, callback, head);
    }
    String query = request.getHttpURI().getQuery();
    boolean explain =
        (query != null && (query.equals("explain") || query.startsWith("explain=")))
            || (proxies.contains(peer) && "1".equals(request.getHeaders().get("X-Mirror-Explain")));
    long t0 = System.nanoTime();
    Selection s =
        selector.select(
            path, scheme, client, view.get(), files.get(), System.currentTimeMillis(), explain);
    metrics.selected(System.nanoTime() - t0);
    Tally tally = null;
    if (s.outcome() == MirrorSelector.Outcome.REDIRECT) {
      tally = tally(s.chosen().mirror());
      tally.metric().count(path.kind());
    } else {
      metrics.fallback(s.outcome());
    }
    if (annotate) {
      annotate(request, clientAddress, s, explain);
    }
    if (explain) {
      return json(response, callback, explain(s, client), head);
    }
    switch (s.outcome()) {
      case REDIRECT, FALLBACK_MIRROR -> {
        return redirect(s, response, callback, tally);
      }
      case SERVE_LOCALLY -> {
        // Only this path leaves the request thread: the redirect path allocates nothing for it.
        Ask ask = new Ask(path, scheme, client, request, response, callback, head);
        request
            .getComponents()
            .getThreadPool()
            .execute(
                () -> {
                  try {
                    serve(ask, 0);
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

  private static final String[] TIERS = {"asn", "country", "continent", "elsewhere"};

  /**
   * Tells the access log which mirror was chosen and why (its tier, or the fallback taken). Off
   * unless an access log is configured: a request attribute costs an allocation.
   */
  public void annotateForAccessLog(boolean on) {
    annotate = on;
  }

  private static final String[] FALLBACKS = new String[MirrorSelector.Outcome.values().length];

  static {
    for (MirrorSelector.Outcome o : MirrorSelector.Outcome.values()) {
      FALLBACKS[o.ordinal()] = o.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** One attribute per request: the client routed, the mirror chosen and why. */
  private static void annotate(Request request, String client, Selection s, boolean explain) {
    String mirror = null;
    String reason;
    if (explain) {
      reason = "explain";
    } else if (s.outcome() == MirrorSelector.Outcome.REDIRECT && s.chosen() != null) {
      mirror = s.chosen().mirror();
      int t = s.chosen().tier();
      reason = t >= 0 && t < TIERS.length ? TIERS[t] : "tier-" + t;
    } else {
      reason = FALLBACKS[s.outcome().ordinal()];
      if (s.outcome() == MirrorSelector.Outcome.SERVE_LOCALLY) {
        mirror = "director";
      }
    }
    request.setAttribute(AccessLog.NOTE, new AccessLog.Note(client, mirror, reason));
  }

  /** One request being answered, for the paths that leave the request thread. */
  private record Ask(
      RequestPath path,
      String scheme,
      ClientLocation client,
      Request request,
      Response response,
      Callback callback,
      boolean head) {}

  /**
   * @param tally the chosen mirror's, when the caller has it already
   */
  private boolean redirect(Selection s, Response response, Callback callback, Tally tally) {
    response.setStatus(302);
    response.getHeaders().put(HttpHeader.LOCATION, s.location());
    // Caches must not keep a redirect: the mirror that qualifies now may not in a minute.
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (s.chosen() != null) {
      response.getHeaders().put("X-Mirror", s.chosen().mirror());
    }
    if (tally != null) {
      tally.window().record();
    } else {
      stats.record(s.chosen() != null ? s.chosen().mirror() : "(fallback)");
    }
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
    response.write(true, null, callback);
    return true;
  }

  /**
   * A pool or by-hash request that no mirror qualifies for and that this node has no file for: the
   * client is probably ahead of the director (a mirror served it a newer InRelease before the
   * director knew of it). The node is asked to look at once, and the request is decided again every
   * {@value #HOLD_TICK_MILLIS} ms until a mirror qualifies or this node has the file, for up to
   * {@link SelectionPolicy#holdFor()}. Then: 503 with Retry-After while the node is fetching a
   * newer snapshot, 404 when it is not. No thread waits meanwhile.
   */
  private void hold(Ask a, long deadline) {
    if (deadline == 0) {
      if (holding.incrementAndGet() > MAX_HELD) {
        holding.decrementAndGet();
        expire(a, false);
        return;
      }
      deadline = System.nanoTime() + selector.policy().holdFor().toNanos();
      catchUp.lookNow();
    }
    long until = deadline;
    try {
      holds.schedule(() -> retry(a, until), HOLD_TICK_MILLIS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      holding.decrementAndGet();
      expire(a, false);
    }
  }

  private void retry(Ask a, long deadline) {
    try {
      Selection s =
          selector.select(
              a.path(),
              a.scheme(),
              a.client(),
              view.get(),
              files.get(),
              System.currentTimeMillis(),
              false);
      if (s.outcome() == MirrorSelector.Outcome.REDIRECT
          || s.outcome() == MirrorSelector.Outcome.FALLBACK_MIRROR) {
        holding.decrementAndGet();
        metrics.held("redirected");
        Tally tally = s.chosen() != null ? tally(s.chosen().mirror()) : null;
        if (tally != null) {
          tally.metric().count(a.path().kind());
        }
        redirect(s, a.response(), a.callback(), tally);
        return;
      }
      if (s.outcome() == MirrorSelector.Outcome.SERVE_LOCALLY && find(a.path()) != null) {
        holding.decrementAndGet();
        metrics.held("served");
        a.request().getComponents().getThreadPool().execute(() -> serveSafely(a, -1));
        return;
      }
      if (System.nanoTime() - deadline >= 0) {
        holding.decrementAndGet();
        expire(a, true);
        return;
      }
      hold(a, deadline);
    } catch (RuntimeException e) {
      holding.decrementAndGet();
      a.callback().failed(e);
    }
  }

  private void expire(Ask a, boolean counted) {
    if (counted) {
      metrics.held("expired");
    }
    if (catchUp.catchingUp()) {
      a.response().getHeaders().put(HttpHeader.RETRY_AFTER, "10");
      text(
          a.response(),
          a.callback(),
          503,
          "no mirror has this file yet and this node has not caught up with the newest snapshot\n",
          a.head());
    } else {
      text(a.response(), a.callback(), 404, "not in any snapshot this director knows\n", a.head());
    }
  }

  private void serveSafely(Ask a, long deadline) {
    try {
      serve(a, deadline);
    } catch (Throwable t) {
      a.callback().failed(t);
    }
  }

  /** A Host header fit to be written back into a URL: a name or an address, and a port. */
  private static final java.util.regex.Pattern AUTHORITY =
      java.util.regex.Pattern.compile(
          "(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]{2,45}\\])(?::[0-9]{1,5})?");

  /**
   * An apt {@code mirror+http} list for this client: the mirrors at the current snapshot, best
   * first, each with its {@code priority:N} (1 is the first choice), and this director's own root
   * last. apt moves down the list when a mirror fails; the director's root redirects each request
   * anew or serves it itself, so the list is never empty: right after a publication, before any
   * mirror has copied the new snapshot, it is the director alone.
   */
  private boolean mirrorList(
      RequestPath path,
      String scheme,
      ClientLocation client,
      String authority,
      Response response,
      Callback callback,
      boolean head)
      throws RequestPath.Rejected {
    List<MirrorCandidate> ranked =
        selector.ranked(scheme, client, view.get(), files.get(), System.currentTimeMillis());
    StringBuilder sb = new StringBuilder();
    int priority = 1;
    for (MirrorCandidate c : ranked) {
      sb.append(c.base().endsWith("/") ? c.base() : c.base() + "/")
          .append("\tpriority:")
          .append(priority++)
          .append('\n');
    }
    if (authority != null && AUTHORITY.matcher(authority).matches()) {
      sb.append(scheme)
          .append("://")
          .append(authority)
          .append(path.root())
          .append("\tpriority:")
          .append(priority)
          .append('\n');
    }
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (sb.isEmpty()) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "60");
      return text(
          response,
          callback,
          503,
          "no mirror is at the current snapshot and the Host header names no director\n",
          head);
    }
    return text(response, callback, 200, sb.toString(), head);
  }

  /**
   * Serves the file from this node's verified snapshots; a pool or by-hash file that none has is
   * held ({@link #hold}) when the policy says so. {@code deadline}: 0 for a new request, -1 for one
   * that was held already and must not be held again.
   */
  private boolean serve(Ask a, long deadline) throws IOException {
    RequestPath path = a.path();
    Response response = a.response();
    Callback callback = a.callback();
    boolean head = a.head();
    if (local.current().isEmpty()) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "60");
      return text(
          response, callback, 503, "no mirror qualifies and this node has no snapshot\n", head);
    }
    Path f = find(path);
    if (f == null) {
      boolean holdable =
          path.kind() == RequestPath.Kind.POOL || path.kind() == RequestPath.Kind.BY_HASH;
      if (holdable && deadline == 0 && !selector.policy().holdFor().isZero()) {
        hold(a, 0);
        return true;
      }
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
    // Asynchronous copy: the response completes the callback when the last byte is written, and a
    // slow or vanished client holds no thread (a blocking stream closed after the callback made
    // Jetty warn "Blocking.Shared incomplete" under load).
    ByteBufferPool.Sized buffers =
        new ByteBufferPool.Sized(a.request().getComponents().getByteBufferPool(), true, 64 * 1024);
    Content.copy(Content.Source.from(buffers, f), response, callback);
    return true;
  }

  /**
   * The file in this node's current snapshot, or for a pool or by-hash file, in any kept one (a
   * client whose lists are a snapshot old gets its files, not a 404); null when none has it.
   */
  private Path find(RequestPath path) {
    Optional<Path> tree = local.current();
    if (tree.isEmpty()) {
      return null;
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
    return f;
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
    for (MirrorCandidate c : s.candidates()) {
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
