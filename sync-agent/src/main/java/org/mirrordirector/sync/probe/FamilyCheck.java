package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
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
import org.mirrordirector.failover.FamilyState;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.net.Addresses;
import org.mirrordirector.failover.net.ConnectedChannel;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.mirrordirector.failover.net.Nat64;
import org.mirrordirector.failover.net.NoAddressAnswered;
import org.mirrordirector.failover.net.Resolver;

/**
 * Whether a mirror answers over IPv4 and over IPv6, each tried on its own: its host's addresses of
 * one family raced as {@link HappyEyeballs} does, and a HEAD of a suite's InRelease over the
 * connection that won, which must answer 2xx or 3xx (a mirror whose IPv6 address lands on a default
 * virtual host answers 404 there). A host name that resolves to both families is tried on both
 * ({@code localhost}: 127.0.0.1 and ::1), so a mirror listening on 127.0.0.1 only is IPv4-only.
 *
 * <p>Judged from where the node stands: an address inside a NAT64 prefix (the well-known
 * 64:ff9b::/96, or the node's own) is the mirror's IPv4 reached through NAT64, evidence about IPv4
 * and never about IPv6; with a NAT64 prefix, each IPv4 address is also tried through it; and a
 * family this node has no path to at all is "not checkable from here", which keeps no client away.
 */
final class FamilyCheck {
  private static final int MAX_HEADER = 8192;

  private final Duration timeout;
  private final SSLContext tls;
  private final HappyEyeballs eyeballs;

  FamilyCheck(Duration timeout, SSLContext tls, HappyEyeballs eyeballs) {
    this.timeout = timeout;
    this.tls = tls;
    this.eyeballs = eyeballs;
  }

  FamilyCheck(Duration timeout, SSLContext tls, Resolver resolver) {
    this(timeout, tls, new HappyEyeballs(HappyEyeballs.STAGGER, resolver, null));
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
    Nat64 nat64 = eyeballs.nat64();
    List<InetSocketAddress> v4 = new ArrayList<>();
    List<InetSocketAddress> v6 = new ArrayList<>();
    List<InetSocketAddress> through = new ArrayList<>();
    Map<String, FamilyState> out = new LinkedHashMap<>();
    try {
      for (InetAddress a :
          HappyEyeballs.literal(host)
              ? InetAddress.getAllByName(host)
              : eyeballs.resolver().resolve(host)) {
        if (a instanceof Inet4Address four) {
          v4.add(new InetSocketAddress(a, port));
          if (nat64 != null) {
            through.add(new InetSocketAddress(nat64.synthesize(four), port));
          }
        } else if (Nat64.WELL_KNOWN.contains(a) || (nat64 != null && nat64.contains(a))) {
          through.add(new InetSocketAddress(a, port)); // DNS64's answer for an IPv4-only name
        } else {
          v6.add(new InetSocketAddress(a, port));
        }
      }
    } catch (UnknownHostException e) {
      out.put("ipv4", new FamilyState(false, "host " + host + " not found"));
      out.put("ipv6", new FamilyState(false, "host " + host + " not found"));
      return out;
    }
    for (InetSocketAddress t : through) {
      if (!v4.contains(t)) {
        v4.add(t);
      }
    }
    out.put("ipv4", family("IPv4", v4, host, https, port, path, u));
    out.put("ipv6", family("IPv6", v6, host, https, port, path, u));
    return out;
  }

  private FamilyState family(
      String name,
      List<InetSocketAddress> addresses,
      String host,
      boolean https,
      int port,
      String path,
      URI u) {
    if (addresses.isEmpty()) {
      return new FamilyState(
          false,
          HappyEyeballs.literal(host)
              ? "no " + name + " address (the URL names an address of the other family)"
              : "no " + name + " address for " + host);
    }
    ConnectedChannel c;
    try {
      c = eyeballs.connect(addresses, timeout, host);
    } catch (NoAddressAnswered e) {
      if (e.noPath()) {
        return FamilyState.notCheckable(
            "not checkable from here: this node has no path to "
                + name
                + (name.equals("IPv4") ? " (no route, and no NAT64 prefix)" : " (no route)")
                + ": "
                + e.summary());
      }
      return new FamilyState(false, e.summary());
    } catch (IOException e) {
      return new FamilyState(false, describe(e));
    }
    String at = HappyEyeballs.text(c.address()) + nat64Note(c.address().getAddress());
    try (Socket plain = c.channel().socket()) {
      int status = head(plain, host, https, port, path, u);
      if (status >= 200 && status < 400) {
        return new FamilyState(true, "answers at " + at);
      }
      return new FamilyState(false, "HTTP " + status + " for " + path + " at " + at);
    } catch (IOException e) {
      return new FamilyState(false, describe(e) + " at " + at);
    }
  }

  /** ", 192.0.2.1 through NAT64" for an address inside a NAT64 prefix, else empty. */
  private String nat64Note(InetAddress a) {
    Nat64 n = eyeballs.nat64();
    Nat64 p =
        Nat64.WELL_KNOWN.contains(a) ? Nat64.WELL_KNOWN : n != null && n.contains(a) ? n : null;
    return p == null ? "" : " (" + Addresses.text(p.embedded(a)) + " through NAT64)";
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

  /** The status code of a HEAD over a socket connected to one of the mirror's addresses. */
  private int head(Socket plain, String host, boolean https, int port, String path, URI u)
      throws IOException {
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
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
      if (!HappyEyeballs.literal(host)) {
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
