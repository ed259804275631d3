package org.mirrordirector.ops.hosting;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The way in to a balancer in a namespace: each TCP connection on 127.0.0.1 and ::1 reaches the
 * Unix socket after a PROXY line that names the client, and the bytes go both ways.
 */
@Timeout(60)
class UnixRelayTest {
  @TempDir Path dir;

  @Test
  void eachFamilyArrivesNamedAndTheBytesGoBothWays() throws Exception {
    Path sock = dir.resolve("front.sock");
    try (ServerSocketChannel balancer = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      balancer.bind(UnixDomainSocketAddress.of(sock));
      try (UnixRelay relay = new UnixRelay(List.of("127.0.0.1", "::1"), 0, sock)) {
        assertThat(relay.port()).isPositive();
        for (String host : List.of("127.0.0.1", "::1")) {
          try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress(host, relay.port()), 5000);
            client.setSoTimeout(10_000);
            CompletableFuture<String> seen =
                CompletableFuture.supplyAsync(() -> echoOneLine(balancer));
            OutputStream out = client.getOutputStream();
            out.write("GET / HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String got = seen.get(10, TimeUnit.SECONDS);
            String family = host.contains(":") ? "TCP6" : "TCP4";
            assertThat(got)
                .startsWith(
                    "PROXY "
                        + family
                        + " "
                        + host
                        + " "
                        + host
                        + " "
                        + client.getLocalPort()
                        + " "
                        + relay.port()
                        + "\r\n")
                .endsWith("GET / HTTP/1.0\r\n");
            InputStream in = client.getInputStream();
            assertThat(new String(in.readNBytes(3), StandardCharsets.US_ASCII)).isEqualTo("ok\n");
            assertThat(in.read()).as("the balancer's end ends the client's").isEqualTo(-1);
          }
        }
      }
    }
  }

  /** Accepts one connection, reads up to the second CRLF, answers "ok\n" and closes. */
  private static String echoOneLine(ServerSocketChannel balancer) {
    try (SocketChannel c = balancer.accept()) {
      InputStream in = Channels.newInputStream(c);
      StringBuilder b = new StringBuilder();
      int lines = 0;
      while (lines < 2) {
        int ch = in.read();
        if (ch < 0) {
          break;
        }
        b.append((char) ch);
        if (ch == '\n') {
          lines++;
        }
      }
      c.write(ByteBuffer.wrap("ok\n".getBytes(StandardCharsets.US_ASCII)));
      return b.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theProxyLineNamesBothEndsWithoutAScope() throws Exception {
    assertThat(
            UnixRelay.proxyLine(
                new InetSocketAddress("192.0.2.7", 40000), new InetSocketAddress("127.0.0.1", 80)))
        .isEqualTo("PROXY TCP4 192.0.2.7 127.0.0.1 40000 80\r\n");
    assertThat(
            UnixRelay.proxyLine(
                new InetSocketAddress(java.net.InetAddress.getByName("fe80::1%1"), 40000),
                new InetSocketAddress("::1", 80)))
        .isEqualTo("PROXY TCP6 fe80::1 ::1 40000 80\r\n");
  }
}
