package org.mirrordirector.director;

import java.util.List;
import java.util.Objects;

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
public record DirectorSettings(
    String host,
    int port,
    List<String> roots,
    SelectionPolicy policy,
    TrustedProxies proxies,
    String adminToken,
    int maxThreads,
    int acceptQueue,
    AccessLogSettings accessLog) {
  /** Without an access log. */
  public DirectorSettings(
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
  public DirectorSettings withAccessLog(AccessLogSettings log) {
    return new DirectorSettings(
        host, port, roots, policy, proxies, adminToken, maxThreads, acceptQueue, log);
  }

  public DirectorSettings {
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
  public static DirectorSettings loopback(List<String> roots) {
    return new DirectorSettings(
        "127.0.0.1", 0, roots, SelectionPolicy.defaults(), TrustedProxies.none(), null, 200, 4096);
  }

  public DirectorSettings withPort(String host, int port) {
    return new DirectorSettings(
        host, port, roots, policy, proxies, adminToken, maxThreads, acceptQueue, accessLog);
  }

  public DirectorSettings withPolicy(SelectionPolicy p) {
    return new DirectorSettings(
        host, port, roots, p, proxies, adminToken, maxThreads, acceptQueue, accessLog);
  }

  public DirectorSettings withProxies(TrustedProxies p) {
    return new DirectorSettings(
        host, port, roots, policy, p, adminToken, maxThreads, acceptQueue, accessLog);
  }

  public DirectorSettings withAdminToken(String t) {
    return new DirectorSettings(
        host, port, roots, policy, proxies, t, maxThreads, acceptQueue, accessLog);
  }
}
