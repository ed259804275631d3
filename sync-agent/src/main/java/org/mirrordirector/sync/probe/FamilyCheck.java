package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.mirrordirector.failover.Addresses;
import org.mirrordirector.failover.Payloads.FamilyState;
import org.mirrordirector.failover.Payloads.MirrorConfig;

/**
 * Whether a mirror answers over IPv4 and over IPv6, each tried on its own: its host's addresses of
 * one family, a connection to one of them, and a HEAD of a suite's InRelease that must answer 2xx
 * or 3xx (a mirror whose IPv6 address lands on a default virtual host answers 404 there). A host
 * name that resolves to both families is tried on both ({@code localhost}: 127.0.0.1 and ::1), so a
 * mirror listening on 127.0.0.1 only is IPv4-only. Never more than two addresses per family.
 */
final class FamilyCheck {
  private static final int MAX_HEADER = 8192;

  /** Host name to addresses: the system's resolver, or a test's. */
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final Duration timeout;
  private final SSLContext tls;
  private final Resolver resolver;

  FamilyCheck(Duration timeout, SSLContext tls) {
    this(timeout, tls, InetAddress::getAllByName);
  }

  FamilyCheck(Duration timeout, SSLContext tls, Resolver resolver) {
    this.timeout = timeout;
    this.tls = tls;
    this.resolver = resolver;
  }

  /** "ipv4" and "ipv6" to whether the mirror answers over them, for {@code suite}'s InRelease. */
  Map<String, FamilyState> check(MirrorConfig m, String suite) {
    String base = m.baseUrls().containsKey("http") ? m.baseUrls().get("http") : null;
    if (base == null) {
      base = m.baseUrls().get("https");
    }
    URI u = URI.create(base.endsWith("/") ? base : base + "/");
    String host = ProbeRequests.hostName(u);
    boolean https = u.getScheme().equals("https");
    int port = u.getPort() > 0 ? u.getPort() : https ? 443 : 80;
    String path = u.getRawPath() + "dists/" + suite + "/InRelease";
    List<InetAddress> v4 = new ArrayList<>();
    List<InetAddress> v6 = new ArrayList<>();
    Map<String, FamilyState> out = new LinkedHashMap<>();
    try {
      for (InetAddress a :
          literal(host) ? InetAddress.getAllByName(host) : resolver.resolve(host)) {
        (a instanceof Inet6Address ? v6 : v4).add(a);
      }
    } catch (UnknownHostException e) {
      out.put("ipv4", new FamilyState(false, "host " + host + " not found"));
      out.put("ipv6", new FamilyState(false, "host " + host + " not found"));
      return out;
    }
    out.put("ipv4", family("IPv4", v4, host, https, port, path, u));
    out.put("ipv6", family("IPv6", v6, host, https, port, path, u));
    return out;
  }

  private FamilyState family(
      String name,
      List<InetAddress> addresses,
      String host,
      boolean https,
      int port,
      String path,
      URI u) {
    if (addresses.isEmpty()) {
      return new FamilyState(
          false,
          literal(host)
              ? "no " + name + " address (the URL names an address of the other family)"
              : "no " + name + " address for " + host);
    }
    String why = null;
    for (InetAddress a : addresses.subList(0, Math.min(2, addresses.size()))) {
      String at = hostPort(a, port);
      try {
        int status = head(a, host, https, port, path, u);
        if (status >= 200 && status < 400) {
          return new FamilyState(true, "answers at " + at);
        }
        why = "HTTP " + status + " for " + path + " at " + at;
      } catch (IOException e) {
        why = describe(e) + " at " + at;
      }
    }
    return new FamilyState(false, why);
  }

  /** An address literal: never a DNS lookup. */
  private static boolean literal(String host) {
    return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
  }

  private static String hostPort(InetAddress a, int port) {
    String h = Addresses.text(a);
    return (a instanceof Inet4Address ? h : "[" + h + "]") + ":" + port;
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    if (e instanceof java.net.SocketTimeoutException) {
      return "timed out";
    }
    if (e instanceof java.net.ConnectException) {
      return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("refused")
          ? "connection refused"
          : "cannot connect (" + m + ")";
    }
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** The status code of a HEAD over a connection to this very address. */
  private int head(InetAddress a, String host, boolean https, int port, String path, URI u)
      throws IOException {
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    Socket plain = new Socket();
    try {
      plain.connect(new InetSocketAddress(a, port), ms);
      plain.setSoTimeout(ms);
      Socket s = plain;
      if (https) {
        SSLContext ctx = tls;
        if (ctx == null) {
          try {
            ctx = SSLContext.getDefault();
          } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException("no TLS", e);
          }
        }
        SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!literal(host)) {
          p.setServerNames(List.of(new SNIHostName(host)));
        }
        ssl.setSSLParameters(p);
        ssl.startHandshake();
        s = ssl;
      }
      String hostHeader = u.getRawAuthority();
      OutputStream out = s.getOutputStream();
      out.write(
          ("HEAD "
                  + path
                  + " HTTP/1.1\r\nHost: "
                  + hostHeader
                  + "\r\nUser-Agent: mirrordirector-prober/1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return status(s.getInputStream());
    } finally {
      plain.close();
    }
  }

  private static int status(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (line.length() > MAX_HEADER) {
        throw new IOException("not an HTTP answer (status line too long)");
      }
      line.append((char) c);
    }
    String[] parts = line.toString().trim().split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("[0-9]{3}")) {
      throw new IOException("not an HTTP answer: '" + line.toString().trim() + "'");
    }
    return Integer.parseInt(parts[1]);
  }
}
