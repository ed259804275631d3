package org.mirrordirector.director;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.mirrordirector.failover.ClusterView;

/**
 * The director as one Jetty server: {@code /metrics}, {@code /leader} and {@code /ready}, {@code
 * /status} and {@code /status.json}, the admin API (when a token is configured), and the redirector
 * under the archive roots, in that order. Answers Jetty gives itself (a request line it cannot
 * parse, an ambiguous URI, headers over the limit) are counted in the metrics like the handlers'
 * own.
 */
public final class DirectorServer implements AutoCloseable {

  private final Server server;
  private final ServerConnector connector;
  private final DirectorMetrics metrics;
  private final RedirectStats stats = RedirectStats.fiveMinutes();
  private final AccessLog accessLog;
  private final StatusPage status;

  public DirectorServer(DirectorSettings settings, DirectorSources sources) {
    this(settings, sources, null, List.of());
  }

  /**
   * With further archives, each under its own roots (a node that serves several archives).
   *
   * @param firstName the name of the archive of {@code sources}, which the admin API also takes in
   *     {@code /admin/archives/NAME/}; null when it has none
   */
  public DirectorServer(
      DirectorSettings settings,
      DirectorSources sources,
      String firstName,
      List<DirectorArchive> more) {
    this(
        settings,
        sources,
        firstName,
        more,
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
            io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT));
  }

  /**
   * With the node's meter registry, which {@code /metrics} writes out whole (the node's own meters
   * beside the director's); Jetty's connections and threads are bound to it here.
   */
  public DirectorServer(
      DirectorSettings settings,
      DirectorSources sources,
      String firstName,
      List<DirectorArchive> more,
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
    QueuedThreadPool threads = new QueuedThreadPool(settings.maxThreads(), 8);
    threads.setName("director");
    server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    // A pool file whose name holds a '%' (apt-ftparchive keeps "foo_1%3a2.0_all.deb" as the apt
    // cache names it) is asked for as "%253a"; Jetty refuses "%25" by default as ambiguous.
    // RequestPath decodes once, strictly, and refuses every encoded separator itself.
    http.setUriCompliance(
        UriCompliance.DEFAULT.with(
            "mirrordirector", UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
    http.setSendServerVersion(false);
    // Jetty's per-connection cache of header fields costs about 100 KB per connection (a 1,024-
    // entry trie): 10,000 open connections would need a gigabyte of heap for it. apt's headers
    // are few and short; parsing them without the cache is cheap.
    http.setHeaderCacheSize(0);
    http.setSendXPoweredBy(false);
    // One selector per core: a redirect is handled on the thread that read it, so the selectors
    // are where the work is (Jetty's default of half the cores leaves one idle on two).
    connector =
        new ServerConnector(
            server, 1, Runtime.getRuntime().availableProcessors(), new HttpConnectionFactory(http));
    connector.setHost(settings.host());
    connector.setPort(settings.port());
    connector.setAcceptQueueSize(settings.acceptQueue());
    server.addConnector(connector);

    metrics = new DirectorMetrics(registry, sources.view(), sources.servingAsLeader(), null);
    // Jetty's own: open connections and their bytes and messages, the request threads.
    io.micrometer.core.instrument.binder.jetty.JettyConnectionMetrics.addToAllConnectors(
        server, registry, io.micrometer.core.instrument.Tags.empty());
    new io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics(
            threads, io.micrometer.core.instrument.Tags.empty())
        .bindTo(registry);
    RedirectHandler redirects =
        new RedirectHandler(
            settings.roots(),
            new MirrorSelector(settings.policy()),
            sources.view(),
            sources.files(),
            sources.local(),
            settings.proxies(),
            sources.locate(),
            stats,
            metrics,
            sources.catchUp());
    List<RedirectHandler> redirectors = new java.util.ArrayList<>(List.of(redirects));
    Handler inner = redirects;
    if (!more.isEmpty()) {
      List<Map.Entry<String, Handler>> byRoot = new java.util.ArrayList<>();
      for (String r : settings.roots()) {
        byRoot.add(Map.entry(r, redirects));
      }
      for (DirectorArchive a : more) {
        RedirectHandler h =
            new RedirectHandler(
                a.roots(),
                new MirrorSelector(settings.policy()),
                a.view(),
                a.files(),
                a.local(),
                settings.proxies(),
                sources.locate(),
                stats,
                metrics,
                a.catchUp());
        redirectors.add(h);
        for (String r : a.roots()) {
          byRoot.add(Map.entry(r, h));
        }
      }
      inner = new ArchiveRouter(byRoot);
    }
    if (settings.adminToken() != null) {
      if (sources.leadership() == null) {
        throw new IllegalArgumentException("the admin API needs the node's leadership");
      }
      Map<String, Supplier<ClusterView>> moreViews = new java.util.LinkedHashMap<>();
      for (DirectorArchive a : more) {
        moreViews.put(a.name(), a.view());
      }
      inner =
          new AdminApi(
              settings.adminToken(),
              sources.view(),
              sources.leadership(),
              sources.paths(),
              firstName,
              moreViews,
              inner);
    }
    status =
        new StatusPage(sources.view(), stats, System::currentTimeMillis, sources.self(), inner);
    metrics.setHandler(new NodeEndpoints(sources.servingAsLeader(), sources.notReady(), status));
    server.setHandler(metrics);
    server.setErrorHandler(new CountingErrorHandler(metrics));
    if (settings.accessLog() != null) {
      accessLog = new AccessLog(settings.accessLog(), settings.proxies());
      server.setRequestLog(accessLog);
      for (RedirectHandler r : redirectors) {
        r.annotateForAccessLog(true);
      }
      io.micrometer.core.instrument.FunctionCounter.builder(
              "md.access.log.dropped.lines", accessLog, AccessLog::dropped)
          .description("Access log lines dropped because the writer fell behind.")
          .register(registry);
    } else {
      accessLog = null;
    }
  }

  public DirectorServer start() throws Exception {
    server.start();
    return this;
  }

  /**
   * Tells the status page of a new registry view, so that it remembers the replicas it lists even
   * after their znodes are gone (a replica cut off from ZooKeeper).
   */
  public void notice(ClusterView v) {
    status.notice(v);
  }

  /** The port bound (useful with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** NON_BLOCKING when every handler in the chain may run on the thread that read the request. */
  public org.eclipse.jetty.util.thread.Invocable.InvocationType invocationType() {
    return server.getHandler().getInvocationType();
  }

  public DirectorMetrics metrics() {
    return metrics;
  }

  public RedirectStats stats() {
    return stats;
  }

  @Override
  public void close() throws Exception {
    try {
      server.stop();
    } finally {
      if (accessLog != null) {
        accessLog.close();
      }
    }
  }

  /** Counts the error answers Jetty writes itself, then writes them as usual. */
  private static final class CountingErrorHandler extends ErrorHandler {
    private final DirectorMetrics metrics;

    CountingErrorHandler(DirectorMetrics metrics) {
      this.metrics = metrics;
      setShowStacks(false);
      setShowMessageInTitle(true);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      if (response.getStatus() >= 400) {
        metrics.error(response.getStatus());
      }
      return super.handle(request, response, callback);
    }
  }
}
