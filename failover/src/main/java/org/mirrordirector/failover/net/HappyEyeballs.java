package org.mirrordirector.failover.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connects to a host as a dual-stack client should (RFC 8305, "Happy Eyeballs v2"), where the JDK
 * connects to the first address of a name only: every address of the name, IPv6 first and the two
 * families interleaved, a new attempt every {@code stagger} while earlier ones are still pending,
 * or at once when one fails; the first that connects wins and the others are closed. With a NAT64
 * prefix, each IPv4 address is also tried through it (RFC 8305, section 7), so an IPv6-only node
 * reaches an IPv4-only host. The address that answered last is tried first next time.
 *
 * <p>One thread does it all with a selector: no thread per attempt.
 */
public final class HappyEyeballs {
  /** RFC 8305's recommended delay between attempts. */
  public static final Duration STAGGER = Duration.ofMillis(250);

  private final Duration stagger;
  private final Resolver resolver;
  private final Nat64 nat64;
  private final Map<String, InetAddress> answered = new ConcurrentHashMap<>();

  /** The system's resolver, RFC 8305's stagger, no NAT64 prefix. */
  public HappyEyeballs() {
    this(STAGGER, InetAddress::getAllByName, null);
  }

  /**
   * @param stagger how long an attempt has before the next one starts beside it (RFC 8305: 250 ms;
   *     10 ms at the least)
   * @param nat64 the network's NAT64 prefix, or null for none
   */
  public HappyEyeballs(Duration stagger, Resolver resolver, Nat64 nat64) {
    if (stagger.isNegative() || stagger.toMillis() < 10 || stagger.toSeconds() > 2) {
      throw new IllegalArgumentException(
          "connect stagger must be between 10 ms and 2 s (RFC 8305), not " + stagger.toMillis());
    }
    this.stagger = stagger;
    this.resolver = resolver;
    this.nat64 = nat64;
  }

  public Duration stagger() {
    return stagger;
  }

  /** The NAT64 prefix this node reaches IPv4 through, or null. */
  public Nat64 nat64() {
    return nat64;
  }

  public Resolver resolver() {
    return resolver;
  }

  /**
   * The addresses of {@code host} in the order they are tried: the one that answered last first,
   * then RFC 8305's order (IPv6 first, the families interleaved), each IPv4 address followed in the
   * IPv6 list by its NAT64 form when a prefix is known. An address literal is itself.
   */
  public List<InetSocketAddress> order(String host, int port) throws UnknownHostException {
    InetAddress[] all = literal(host) ? InetAddress.getAllByName(host) : resolver.resolve(host);
    List<InetAddress> v6 = new ArrayList<>();
    List<InetAddress> v4 = new ArrayList<>();
    List<InetAddress> synthesized = new ArrayList<>();
    for (InetAddress a : all) {
      if (a instanceof Inet6Address) {
        v6.add(a);
      } else {
        v4.add(a);
        if (nat64 != null) {
          synthesized.add(nat64.synthesize((Inet4Address) a));
        }
      }
    }
    for (InetAddress s : synthesized) {
      if (!v6.contains(s)) {
        v6.add(s);
      }
    }
    List<InetAddress> ordered = new ArrayList<>(v6.size() + v4.size());
    for (int i = 0; i < Math.max(v6.size(), v4.size()); i++) {
      if (i < v6.size()) {
        ordered.add(v6.get(i));
      }
      if (i < v4.size()) {
        ordered.add(v4.get(i));
      }
    }
    InetAddress last = answered.get(key(host, port));
    if (last != null && ordered.remove(last)) {
      ordered.add(0, last);
    }
    List<InetSocketAddress> out = new ArrayList<>(ordered.size());
    for (InetAddress a : ordered) {
      out.add(new InetSocketAddress(a, port));
    }
    return out;
  }

  /** Connects to {@code host}: see the class comment. */
  public ConnectedChannel connect(String host, int port, Duration timeout) throws IOException {
    ConnectedChannel c = connect(order(host, port), timeout, host);
    answered.put(key(host, port), c.address().getAddress());
    return c;
  }

  /**
   * Records that {@code a} answered for {@code host} through another client (ZooKeeper's): it is
   * tried first next time.
   */
  public void answered(String host, int port, InetAddress a) {
    answered.put(key(host, port), a);
  }

  /** The address of {@code host} that answered last, if any did. */
  public java.util.Optional<InetAddress> lastAnswered(String host, int port) {
    return java.util.Optional.ofNullable(answered.get(key(host, port)));
  }

  /**
   * Races connections to {@code addresses} in their order; throws {@link NoAddressAnswered} naming
   * every attempt when none connects, or {@link SocketTimeoutException} when the time runs out.
   */
  public ConnectedChannel connect(List<InetSocketAddress> addresses, Duration timeout, String host)
      throws IOException {
    if (addresses.isEmpty()) {
      throw new UnknownHostException("no address for " + host);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ConnectAttempt> failed = new ArrayList<>();
    Map<SocketChannel, InetSocketAddress> pending = new LinkedHashMap<>();
    SocketChannel winner = null;
    InetSocketAddress winnerAddress = null;
    try (Selector selector = Selector.open()) {
      int next = 0;
      long nextAt = System.nanoTime();
      while (winner == null) {
        long now = System.nanoTime();
        while (winner == null
            && next < addresses.size()
            && (now - nextAt >= 0 || pending.isEmpty())) {
          InetSocketAddress a = addresses.get(next++);
          SocketChannel ch = SocketChannel.open();
          try {
            ch.configureBlocking(false);
            if (ch.connect(a)) {
              winner = ch;
              winnerAddress = a;
            } else {
              ch.register(selector, SelectionKey.OP_CONNECT);
              pending.put(ch, a);
              nextAt = now + stagger.toNanos();
            }
          } catch (IOException | RuntimeException e) {
            ch.close();
            failed.add(attempt(a, e));
          }
        }
        if (winner != null) {
          break;
        }
        if (pending.isEmpty()) {
          throw new NoAddressAnswered(host, failed);
        }
        long until = next < addresses.size() ? Math.min(nextAt, deadline) : deadline;
        long waitMs = Math.max(1, (until - now + 999_999) / 1_000_000);
        if (deadline - now <= 0) {
          List<ConnectAttempt> timedOut = new ArrayList<>();
          for (InetSocketAddress a : pending.values()) {
            timedOut.add(new ConnectAttempt(a, ConnectFailure.TIMED_OUT, "timed out"));
          }
          throw new SocketTimeoutException(
              "no address of "
                  + host
                  + " answered within "
                  + timeout.toMillis()
                  + " ms: "
                  + NoAddressAnswered.summary(all(failed, timedOut)));
        }
        selector.select(waitMs);
        for (SelectionKey k : selector.selectedKeys()) {
          SocketChannel ch = (SocketChannel) k.channel();
          InetSocketAddress a = pending.get(ch);
          try {
            if (ch.finishConnect()) {
              winner = ch;
              winnerAddress = a;
              pending.remove(ch);
              break;
            }
          } catch (IOException e) {
            k.cancel();
            ch.close();
            pending.remove(ch);
            failed.add(attempt(a, e));
            nextAt = System.nanoTime(); // a failure starts the next attempt at once
          }
        }
        selector.selectedKeys().clear();
      }
    } finally {
      for (SocketChannel ch : pending.keySet()) {
        if (ch != winner) {
          closeQuietly(ch);
        }
      }
    }
    // The selector is closed, so the winner is registered nowhere and may block again.
    try {
      winner.configureBlocking(true);
    } catch (IOException e) {
      closeQuietly(winner);
      throw e;
    }
    for (InetSocketAddress a : pending.values()) {
      failed.add(
          new ConnectAttempt(a, ConnectFailure.OTHER, "left pending, another answered first"));
    }
    return new ConnectedChannel(winner, winnerAddress, List.copyOf(failed));
  }

  /** An address literal: never a DNS lookup. */
  public static boolean literal(String host) {
    return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
  }

  /** An address and port as in a URL: {@code 192.0.2.1:80}, {@code [2001:db8::1]:80}. */
  public static String text(InetSocketAddress a) {
    return Addresses.text(a);
  }

  static ConnectAttempt attempt(InetSocketAddress a, Exception e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    String lower = m.toLowerCase(Locale.ROOT);
    if (lower.contains("refused")) {
      return new ConnectAttempt(a, ConnectFailure.REFUSED, "connection refused");
    }
    if (lower.contains("network is unreachable")
        || lower.contains("cannot assign requested address")
        || lower.contains("address family not supported")
        || lower.contains("protocol family unavailable")
        || e instanceof java.nio.channels.UnsupportedAddressTypeException) {
      return new ConnectAttempt(a, ConnectFailure.NO_PATH, "no path from this node (" + m + ")");
    }
    if (e instanceof SocketTimeoutException || lower.contains("timed out")) {
      return new ConnectAttempt(a, ConnectFailure.TIMED_OUT, "timed out");
    }
    return new ConnectAttempt(
        a,
        ConnectFailure.OTHER,
        m.isEmpty() ? e.getClass().getSimpleName() : lower.replace('\n', ' '));
  }

  private static List<ConnectAttempt> all(List<ConnectAttempt> a, List<ConnectAttempt> b) {
    List<ConnectAttempt> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static String key(String host, int port) {
    return host.toLowerCase(Locale.ROOT) + " " + port;
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // closing a failed attempt
    }
  }
}
