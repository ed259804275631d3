package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
  final TrustedProxies p =
      TrustedProxies.parse(List.of("10.0.0.0/8", "192.0.2.1", "2001:db8::/32"));

  @Test
  void prefixesAndAddressesOfBothFamiliesMatch() {
    assertThat(p.contains("10.200.3.4")).isTrue();
    assertThat(p.contains("11.0.0.1")).isFalse();
    assertThat(p.contains("192.0.2.1")).isTrue();
    assertThat(p.contains("192.0.2.2")).isFalse();
    assertThat(p.contains("2001:db8:1::5")).isTrue();
    assertThat(p.contains("2001:db9::5")).isFalse();
    assertThat(p.contains("example.org")).as("never a DNS lookup").isFalse();
    assertThat(p.contains("1.2.3.999")).isFalse();
  }

  @Test
  void theClientIsTheRightMostHopThatIsNotATrustedProxy() {
    assertThat(p.client("10.0.0.1", "203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(p.client("10.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.1.1")).isEqualTo("203.0.113.9");
    assertThat(p.client("10.0.0.1", "10.2.2.2, 10.1.1.1")).isEqualTo("10.2.2.2");
    assertThat(p.client("10.0.0.1", "not-an-ip")).isEqualTo("10.0.0.1");
    assertThat(p.client("203.0.113.50", "198.51.100.7"))
        .as("untrusted peer")
        .isEqualTo("203.0.113.50");
    assertThat(p.client("10.0.0.1", null)).isEqualTo("10.0.0.1");
  }

  @Test
  void ipv6PeersMatchInEverySpellingJettyAndProxiesUse() {
    TrustedProxies v6 = TrustedProxies.parse(List.of("::1/128", "2001:db8:10::/48"));
    // Jetty 12 gives an IPv6 peer bracketed and in the long form.
    assertThat(v6.contains("[0:0:0:0:0:0:0:1]")).isTrue();
    assertThat(v6.contains("[::1]:8080")).isTrue();
    assertThat(v6.contains("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(v6.contains("[2001:DB8:10:0:0:0:0:7]")).isTrue();
    assertThat(v6.contains("[2001:db8:11::7]")).isFalse();
    assertThat(v6.contains("127.0.0.1")).as("another family never matches").isFalse();
    assertThat(v6.client("[0:0:0:0:0:0:0:1]", "2001:DB8:0:0:0:0:0:99"))
        .as("the client in the usual form (RFC 5952)")
        .isEqualTo("2001:db8::99");
    assertThat(v6.client("[0:0:0:0:0:0:0:1]", "[2001:db8:1::5]:51000, 2001:db8:10::2"))
        .as("a bracketed hop with a port; the trusted hop skipped")
        .isEqualTo("2001:db8:1::5");
    assertThat(v6.client("[0:0:0:0:0:0:0:1]", "192.0.2.7:5678")).isEqualTo("192.0.2.7");
    assertThat(v6.client("[0:0:0:0:0:0:0:1]", "::ffff:192.0.2.8"))
        .as("an IPv4-mapped address is the IPv4 client")
        .isEqualTo("192.0.2.8");
    assertThat(v6.client("[2001:db8:99:0:0:0:0:1]", "192.0.2.7"))
        .as("untrusted IPv6 peer: its own address, in the usual form")
        .isEqualTo("2001:db8:99::1");
    assertThat(v6.client("[0:0:0:0:0:0:0:1]", "[::1")).isEqualTo("::1");
    assertThat(v6.client("[0:0:0:0:0:0:0:1]", "[192.0.2.1]")).isEqualTo("::1");
  }

  @Test
  void addressTextIsRfc5952() {
    assertThat(AddressBlocks.canonical("2001:0db8:0000:0000:0001:0000:0000:0001"))
        .as("the first of two equal zero runs")
        .isEqualTo("2001:db8::1:0:0:1");
    assertThat(AddressBlocks.canonical("2001:db8:0:1:1:1:1:1"))
        .as("a single zero group is not shortened")
        .isEqualTo("2001:db8:0:1:1:1:1:1");
    assertThat(AddressBlocks.canonical("0:0:0:0:0:0:0:0")).isEqualTo("::");
    assertThat(AddressBlocks.canonical("fe80:0:0:0:0:0:0:0")).isEqualTo("fe80::");
    assertThat(AddressBlocks.canonical("[1:0:0:2:0:0:0:3]")).isEqualTo("1:0:0:2::3");
    assertThat(AddressBlocks.canonical("010.1.2.3")).isEqualTo("10.1.2.3");
    assertThat(AddressBlocks.canonical("[::1")).isNull();
    assertThat(AddressBlocks.canonical("::1]")).isNull();
    assertThat(AddressBlocks.canonical("1.2.3.4:99999999")).isNull();
  }

  @Test
  void badEntriesAreNamed() {
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("proxy.example.org")))
        .hasMessage("trusted proxy 'proxy.example.org' is not an IP address or prefix");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33")))
        .hasMessage("trusted proxy '10.0.0.0/33' has an invalid prefix length");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/x")))
        .hasMessage("trusted proxy '10.0.0.0/x' has an invalid prefix length");
  }

  /** The first implementation: split the header, walk it from the right. */
  private String reference(String peer, String forwardedFor) {
    byte[] peerBytes = AddressBlocks.literal(peer);
    String peerText = peerBytes == null ? peer : AddressBlocks.text(peerBytes);
    if (forwardedFor == null || !p.contains(peerText)) {
      return peerText;
    }
    String[] hops = forwardedFor.split(",");
    byte[] address = null;
    for (int i = hops.length - 1; i >= 0; i--) {
      address = AddressBlocks.literal(hops[i].trim());
      if (address == null) {
        return peerText;
      }
      if (!p.contains(AddressBlocks.text(address))) {
        break;
      }
    }
    return address == null ? peerText : AddressBlocks.text(address);
  }

  /**
   * The header is walked in place, not split: on 100,000 random headers (trusted and untrusted hops
   * of both families, garbage, spaces, empty hops, commas at either end) the client is the one the
   * first implementation named. A header of commas alone names the proxy itself (the first
   * implementation failed on it).
   */
  @Test
  void walkingTheHeaderInPlaceNamesTheClientSplittingItDid() {
    String[] parts = {
      "203.0.113.9",
      "10.1.1.1",
      "192.0.2.1",
      "2001:db8::7",
      "2001:db9::1",
      "::1",
      "not-an-ip",
      "",
      " ",
      "1.2.3.999",
      "198.51.100.7",
      "[2001:db8::1]",
      "010.1.1.1"
    };
    String[] peers = {"10.0.0.1", "192.0.2.1", "203.0.113.50", "2001:db8::1", "garbage"};
    java.util.Random r = new java.util.Random(16);
    for (int k = 0; k < 100_000; k++) {
      StringBuilder h = new StringBuilder();
      for (int n = r.nextInt(5); n >= 0; n--) {
        h.append(r.nextInt(4) == 0 ? " " : "").append(parts[r.nextInt(parts.length)]);
        if (n > 0 || r.nextInt(6) == 0) {
          h.append(r.nextBoolean() ? "," : ", ");
        }
      }
      if (r.nextInt(8) == 0) {
        h.insert(0, ",");
      }
      String peer = peers[r.nextInt(peers.length)];
      String header = h.toString();
      assertThat(p.client(peer, header))
          .as("%s via %s", header, peer)
          .isEqualTo(reference(peer, header));
    }
    assertThat(p.client("10.0.0.1", ",,")).isEqualTo("10.0.0.1");
    assertThat(p.client("10.0.0.1", "")).isEqualTo("10.0.0.1");
  }
}
