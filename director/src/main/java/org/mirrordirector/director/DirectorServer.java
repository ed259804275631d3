package org.mirrordirector.director;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
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
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.RegistryPaths;

/**
 * The director as one Jetty server: {@code /metrics}, {@code /leader} and {@code /ready}, {@code
 * /status} and {@code /status.json}, the admin API (when a token is configured), and the redirector
 * under the archive roots, in that order. Answers Jetty gives itself (a request line it cannot
 * parse, an ambiguous URI, headers over the limit) are counted in the metrics like the handlers'
 * own.
 */
public final class DirectorServer implements AutoCloseable {

  /**
   * Where and how the server listens.
   *
   * @param host the address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
   * @param port the port, 0 for any free one
   * @param roots the archive roots, each like {@code /raspbian/}
   * @param adminToken the bearer token of the admin API, or null to leave it off
   * @param maxThreads the request threads
   * @param acceptQueue the listen backlog, for bursts of new connections
   */
  public record Settings(
      String host,
      int port,
      List<String> roots,
      SelectionPolicy policy,
      TrustedProxies proxies,
      String adminToken,
      int maxThreads,
      int acceptQueue,
      AccessLog.Settings accessLog) {
    /** Without an access log. */
    public Settings(
        String host,
        int port,
        List<String> roots,
        SelectionPolicy policy,
        TrustedProxies proxies,
        String adminToken,
        int maxThreads,
        int acceptQueue) {
      this(host, port, roots, policy, proxies, adminToken, maxThreads, acceptQueue, null);
    }

    /** The same settings with this access log (null: none). */
    public Settings withAccessLog(AccessLog.Settings log) {
      return new Settings(
          host, port, roots, policy, proxies, adminToken, maxThreads, acceptQueue, log);
    }

    public Settings {
      Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0-65535: " + port);
      }
      roots = List.copyOf(roots);
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(proxies, "proxies");
      if (maxThreads < 8) {
        throw new IllegalArgumentException("maxThreads must be at least 8: " + maxThreads);
      }
      if (acceptQueue < 1) {
        throw new IllegalArgumentException("acceptQueue must be at least 1: " + acceptQueue);
      }
    }

    /** Loopback, any port, default policy, no trusted proxy, no admin API. */
    public static Settings loopback(List<String> roots) {
      return new Settings(
          "127.0.0.1",
          0,
          roots,
          SelectionPolicy.defaults(),
          TrustedProxies.none(),
          null,
          200,
          4096);
    }

    public Settings withPort(String host, int port) {
      return new Settings(
          host, port, roots, policy, proxies, adminToken, maxThreads, acceptQueue, accessLog);
    }

    public Settings withPolicy(SelectionPolicy p) {
      return new Settings(
          host, port, roots, p, proxies, adminToken, maxThreads, acceptQueue, accessLog);
    }

    public Settings withProxies(TrustedProxies p) {
      return new Settings(
          host, port, roots, policy, p, adminToken, maxThreads, acceptQueue, accessLog);
    }

    public Settings withAdminToken(String t) {
      return new Settings(
          host, port, roots, policy, proxies, t, maxThreads, acceptQueue, accessLog);
    }
  }

  /**
   * What the server reads from the rest of the node.
   *
   * @param leadership for the admin API's fenced writes; null when there is no admin API
   * @param self what this node says of itself for the status page (its syncs); null for nothing
   * @param catchUp what the node does when a client asks for a file the director cannot place
   */
  public record Sources(
      Supplier<ClusterView> view,
      Supplier<FileKnowledge> files,
      LocalTree local,
      Function<String, ClientLocation> locate,
      BooleanSupplier servingAsLeader,
      Supplier<Optional<String>> notReady,
      Leadership leadership,
      RegistryPaths paths,
      Supplier<Map<String, Object>> self,
      CatchUp catchUp) {

    public Sources {
      catchUp = catchUp == null ? CatchUp.NONE : catchUp;
    }

    /** Without a catch-up hook. */
    public Sources(
        Supplier<ClusterView> view,
        Supplier<FileKnowledge> files,
        LocalTree local,
        Function<String, ClientLocation> locate,
        BooleanSupplier servingAsLeader,
        Supplier<Optional<String>> notReady,
        Leadership leadership,
        RegistryPaths paths,
        Supplier<Map<String, Object>> self) {
      this(view, files, local, locate, servingAsLeader, notReady, leadership, paths, self, null);
    }

    /** Without a self-description. */
    public Sources(
        Supplier<ClusterView> view,
        Supplier<FileKnowledge> files,
        LocalTree local,
        Function<String, ClientLocation> locate,
        BooleanSupplier servingAsLeader,
        Supplier<Optional<String>> notReady,
        Leadership leadership,
        RegistryPaths paths) {
      this(view, files, local, locate, servingAsLeader, notReady, leadership, paths, null);
    }
  }

  /**
   * A further archive of the node: its name, its roots, and what its redirector reads. Its mirrors
   * are administered under {@code /admin/archives/NAME/}.
   */
  public record Archive(
      String name,
      List<String> roots,
      Supplier<ClusterView> view,
      Supplier<FileKnowledge> files,
      LocalTree local,
      CatchUp catchUp) {
    public Archive {
      roots = List.copyOf(roots);
      catchUp = catchUp == null ? CatchUp.NONE : catchUp;
    }
  }

  private final Server server;
  private final ServerConnector connector;
  private final DirectorMetrics metrics;
  private final RedirectStats stats = RedirectStats.fiveMinutes();
  private final AccessLog accessLog;
  private final StatusPage status;

  public DirectorServer(Settings settings, Sources sources) {
    this(settings, sources, null, List.of());
  }

  /**
   * With further archives, each under its own roots (a node that serves several archives).
   *
   * @param firstName the name of the archive of {@code sources}, which the admin API also takes in
   *     {@code /admin/archives/NAME/}; null when it has none
   */
  public DirectorServer(Settings settings, Sources sources, String firstName, List<Archive> more) {
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
      Settings settings,
      Sources sources,
      String firstName,
      List<Archive> more,
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
      for (Archive a : more) {
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
      for (Archive a : more) {
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
