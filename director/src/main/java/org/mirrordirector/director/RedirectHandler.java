package org.mirrordirector.director;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
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

  private final List<String> roots;
  private final MirrorSelector selector;
  private final Supplier<ClusterView> view;
  private final Supplier<FileKnowledge> files;
  private final TrustedProxies proxies;
  private final Function<String, ClientLocation> locate;
  private final DirectorMetrics metrics;
  private final PlainAnswers answers;
  private final MirrorList mirrorList;
  private final Redirects redirects;
  private final LocalFiles localFiles;
  private final HeldRequests held;
  private volatile boolean annotate;

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
    this.proxies = proxies;
    this.locate = locate;
    this.metrics = metrics;
    this.answers = new PlainAnswers(metrics);
    this.mirrorList = new MirrorList(selector, view, files, answers);
    this.redirects = new Redirects(metrics, stats);
    this.localFiles = new LocalFiles(local, stats, answers);
    this.held =
        new HeldRequests(selector, view, files, localFiles, redirects, answers, metrics, catchUp);
  }

  @Override
  protected void doStop() throws Exception {
    held.close();
    super.doStop();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String method = request.getMethod();
    boolean head = HttpMethod.HEAD.is(method);
    if (!head && !HttpMethod.GET.is(method)) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      return answers.text(response, callback, 405, "only GET and HEAD\n", head);
    }
    RequestPath path;
    try {
      path = RequestPath.classify(request.getHttpURI().getPath(), roots);
    } catch (RejectedPath e) {
      return answers.text(response, callback, e.status(), e.getMessage() + "\n", head);
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
    if (path.kind() == PathKind.OTHER && path.path().equals("mirrors.txt")) {
      return mirrorList.answer(
          path, scheme, client, request.getHttpURI().getAuthority(), response, callback, head);
    }
    String query = request.getHttpURI().getQuery();
    boolean explain =
        (query != null && (query.equals("explain") || query.startsWith("explain=")))
            || (proxies.contains(peer) && "1".equals(request.getHeaders().get("X-Mirror-Explain")));
    long t0 = System.nanoTime();
    MirrorSelection s =
        selector.select(
            path, scheme, client, view.get(), files.get(), System.currentTimeMillis(), explain);
    metrics.selected(System.nanoTime() - t0);
    RedirectTally tally = null;
    if (s.outcome() == SelectionOutcome.REDIRECT) {
      tally = redirects.counted(s, path);
    } else {
      metrics.fallback(s.outcome());
    }
    if (annotate) {
      Explanation.annotate(request, clientAddress, s, explain);
    }
    if (explain) {
      return PlainAnswers.json(response, callback, Explanation.explain(s, client), head);
    }
    switch (s.outcome()) {
      case REDIRECT, FALLBACK_MIRROR -> {
        return redirects.redirect(s, response, callback, tally);
      }
      case SERVE_LOCALLY -> {
        // Only this path leaves the request thread: the redirect path allocates nothing for it.
        PendingRequest ask =
            new PendingRequest(path, scheme, client, request, response, callback, head);
        request
            .getComponents()
            .getThreadPool()
            .execute(
                () -> {
                  try {
                    if (localFiles.serve(ask, held.holds()) == ServedLocally.MISSING) {
                      held.hold(ask);
                    }
                  } catch (Throwable t) {
                    callback.failed(t);
                  }
                });
        return true;
      }
      default -> {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "60");
        return answers.text(response, callback, 503, s.why() + "\n", head);
      }
    }
  }

  /**
   * Tells the access log which mirror was chosen and why (its tier, or the fallback taken). Off
   * unless an access log is configured: a request attribute costs an allocation.
   */
  public void annotateForAccessLog(boolean on) {
    annotate = on;
  }
}
