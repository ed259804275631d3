package org.mirrordirector.failover.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HappyEyeballsTest {
  private static InetAddress ip(String s) throws UnknownHostException {
    return InetAddress.getByName(s);
  }

  private static HappyEyeballs with(InetAddress... answers) {
    return new HappyEyeballs(HappyEyeballs.STAGGER, host -> answers.clone(), null);
  }

  private static List<String> texts(List<InetSocketAddress> order) {
    List<String> out = new ArrayList<>();
    for (InetSocketAddress a : order) {
      out.add(HappyEyeballs.text(a));
    }
    return out;
  }

  @Test
  void triesIpv6FirstAndInterleavesTheFamilies() throws Exception {
    HappyEyeballs he =
        with(
            ip("192.0.2.1"),
            ip("192.0.2.2"),
            ip("192.0.2.3"),
            ip("2001:db8::1"),
            ip("2001:db8::2"));
    assertThat(texts(he.order("mirror.test", 80)))
        .containsExactly(
            "[2001:db8::1]:80", "192.0.2.1:80", "[2001:db8::2]:80", "192.0.2.2:80", "192.0.2.3:80");
  }

  @Test
  void withANat64PrefixEachIpv4AddressIsAlsoTriedThroughIt() throws Exception {
    HappyEyeballs he =
        new HappyEyeballs(
            HappyEyeballs.STAGGER,
            host -> new InetAddress[] {ip("192.0.2.1")},
            Nat64.parse("2001:db8:ff9b::/96"));
    assertThat(texts(he.order("v4only.test", 80)))
        .containsExactly("[2001:db8:ff9b::c000:201]:80", "192.0.2.1:80");
  }

  @Test
  void anAddressLiteralIsNeverLookedUp() throws Exception {
    HappyEyeballs he =
        new HappyEyeballs(
            HappyEyeballs.STAGGER,
            host -> {
              throw new AssertionError("looked up " + host);
            },
            null);
    assertThat(texts(he.order("::1", 8080))).containsExactly("[::1]:8080");
    assertThat(texts(he.order("127.0.0.1", 8080))).containsExactly("127.0.0.1:8080");
  }

  @Test
  void movesOnFromARefusedAddressAndRemembersTheOneThatAnswered() throws Exception {
    try (ServerSocket v4 = new ServerSocket(0, 50, ip("127.0.0.1"))) {
      int port = v4.getLocalPort();
      HappyEyeballs he = with(ip("127.0.0.1"), ip("::1")); // nothing on [::1]:port
      assertThat(texts(he.order("localhost", port))).first().isEqualTo("[::1]:" + port);
      ConnectedChannel c = he.connect("localhost", port, Duration.ofSeconds(10));
      try (Socket s = c.channel().socket()) {
        assertThat(HappyEyeballs.text(c.address())).isEqualTo("127.0.0.1:" + port);
        assertThat(c.failed()).hasSize(1);
        assertThat(c.failed().get(0).failure()).isEqualTo(ConnectFailure.REFUSED);
        assertThat(c.failed().get(0).toString()).isEqualTo("connection refused at [::1]:" + port);
        assertThat(c.channel().isBlocking()).isTrue();
        s.getOutputStream().write('x'); // usable as a plain socket
      }
      assertThat(he.lastAnswered("localhost", port)).contains(ip("127.0.0.1"));
      assertThat(texts(he.order("localhost", port))).first().isEqualTo("127.0.0.1:" + port);
    }
  }

  @Test
  void anAddressThatNeverAnswersDoesNotHoldUpTheNext() throws Exception {
    // 127.0.0.1:port drops every SYN (its accept queue is full and nobody accepts): the first
    // attempt hangs, as to a black-holed address; the next starts after the stagger and wins.
    try (ServerSocket full = new ServerSocket(0, 1, ip("127.0.0.1"));
        ServerSocket v6 = new ServerSocket(full.getLocalPort(), 50, ip("::1"))) {
      int port = full.getLocalPort();
      List<Socket> filling = fill(new InetSocketAddress(ip("127.0.0.1"), port));
      try {
        HappyEyeballs he = with();
        ConnectedChannel c =
            he.connect(
                List.of(
                    new InetSocketAddress(ip("127.0.0.1"), port),
                    new InetSocketAddress(ip("::1"), port)),
                Duration.ofSeconds(30),
                "blackhole.test");
        c.channel().close();
        assertThat(HappyEyeballs.text(c.address())).isEqualTo("[::1]:" + port);
        assertThat(c.failed())
            .extracting(Object::toString)
            .containsExactly("left pending, another answered first at 127.0.0.1:" + port);
      } finally {
        for (Socket s : filling) {
          s.close();
        }
      }
    }
  }

  @Test
  void namesEveryAttemptWhenNoneAnswers() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, ip("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    HappyEyeballs he = with(ip("127.0.0.1"), ip("::1"));
    assertThatThrownBy(() -> he.connect("localhost", port, Duration.ofSeconds(10)))
        .isInstanceOf(NoAddressAnswered.class)
        .hasMessage(
            "no address of localhost answered: connection refused at [::1]:"
                + port
                + "; connection refused at 127.0.0.1:"
                + port);
  }

  @Test
  void givesUpAtItsTimeoutNamingTheAddressesStillPending() throws Exception {
    try (ServerSocket full = new ServerSocket(0, 1, ip("127.0.0.1"))) {
      InetSocketAddress a = new InetSocketAddress(ip("127.0.0.1"), full.getLocalPort());
      List<Socket> filling = fill(a);
      try {
        assertThatThrownBy(() -> with().connect(List.of(a), Duration.ofMillis(300), "x.test"))
            .isInstanceOf(SocketTimeoutException.class)
            .hasMessage(
                "no address of x.test answered within 300 ms: "
                    + "timed out at "
                    + HappyEyeballs.text(a));
      } finally {
        for (Socket s : filling) {
          s.close();
        }
      }
    }
  }

  @Test
  void classifiesANodeWithoutAPathToAnAddressApartFromARefusal() throws Exception {
    InetSocketAddress a = new InetSocketAddress(ip("192.0.2.1"), 80);
    assertThat(
            HappyEyeballs.attempt(a, new java.net.SocketException("Network is unreachable"))
                .failure())
        .isEqualTo(ConnectFailure.NO_PATH);
    assertThat(
            HappyEyeballs.attempt(a, new java.net.SocketException("Network is unreachable"))
                .toString())
        .isEqualTo("no path from this node (Network is unreachable) at 192.0.2.1:80");
    assertThat(
            HappyEyeballs.attempt(
                    a, new java.net.SocketException("Cannot assign requested address"))
                .failure())
        .isEqualTo(ConnectFailure.NO_PATH);
    assertThat(HappyEyeballs.attempt(a, new ConnectException("Connection refused")).failure())
        .isEqualTo(ConnectFailure.REFUSED);
    assertThat(
            HappyEyeballs.attempt(a, new java.net.NoRouteToHostException("No route to host"))
                .failure())
        .isEqualTo(ConnectFailure.OTHER);
  }

  @Test
  void refusesAStaggerOutsideRfc8305sRange() {
    assertThatThrownBy(() -> new HappyEyeballs(Duration.ofMillis(5), host -> null, null))
        .hasMessageContaining("between 10 ms and 2 s")
        .hasMessageContaining("not 5");
  }

  /**
   * Connections that fill a listening socket's accept queue (backlog 1), so that the kernel drops
   * the next SYN: a connection attempt that neither connects nor fails.
   */
  private static List<Socket> fill(InetSocketAddress a) throws Exception {
    List<Socket> out = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Socket s = new Socket();
      try {
        s.connect(a, 200);
        out.add(s);
      } catch (SocketTimeoutException e) {
        s.close();
        return out;
      }
    }
    throw new AssertionError("the accept queue of " + a + " never filled");
  }
}
