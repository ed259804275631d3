package org.mirrordirector.failover.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class Nat64Test {
  private static InetAddress ip(String s) throws UnknownHostException {
    return InetAddress.getByName(s);
  }

  @Test
  void theWellKnownPrefixEmbedsTheIpv4AddressInItsLast32Bits() throws Exception {
    Nat64 p = Nat64.WELL_KNOWN;
    assertThat(p.contains(ip("64:ff9b::c000:201"))).isTrue();
    assertThat(Addresses.text(p.embedded(ip("64:ff9b::c000:201")))).isEqualTo("192.0.2.1");
    assertThat(Addresses.text(p.synthesize((Inet4Address) ip("192.0.2.33"))))
        .isEqualTo("64:ff9b::c000:221");
    assertThat(p.contains(ip("2001:db8::1"))).isFalse();
    assertThat(p.contains(ip("192.0.2.1"))).isFalse();
  }

  @Test
  void everyLengthOfRfc6052SkipsBits64To71() throws Exception {
    // RFC 6052, section 2.4's table: 192.0.2.33 under 2001:db8::/32 ... /96.
    String[][] table = {
      {"2001:db8::/32", "2001:db8:c000:221::"},
      {"2001:db8:100::/40", "2001:db8:1c0:2:21::"},
      {"2001:db8:122::/48", "2001:db8:122:c000:2:2100::"},
      {"2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::"},
      {"2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0"},
      {"2001:db8:122:344::/96", "2001:db8:122:344::c000:221"},
    };
    Inet4Address v4 = (Inet4Address) ip("192.0.2.33");
    for (String[] row : table) {
      Nat64 p = Nat64.parse(row[0]);
      assertThat(Addresses.text(p.synthesize(v4))).as(row[0]).isEqualTo(row[1]);
      assertThat(p.embedded(ip(row[1]))).as(row[0]).isEqualTo(v4);
      assertThat(p.toString()).isEqualTo(row[0]);
    }
  }

  @Test
  void discoversTheNetworksPrefixFromIpv4onlyArpaAsRfc7050Says() {
    Resolver dns64 =
        host -> {
          assertThat(host).isEqualTo("ipv4only.arpa");
          return new InetAddress[] {ip("2001:db8:ff9b::c000:aa"), ip("2001:db8:ff9b::c000:ab")};
        };
    assertThat(Nat64.discover(dns64)).contains(Nat64.parse("2001:db8:ff9b::/96"));
    Resolver dns64At56 = host -> new InetAddress[] {ip("2001:db8:122:3c0:0:aa::")};
    assertThat(Nat64.discover(dns64At56)).contains(Nat64.parse("2001:db8:122:300::/56"));
  }

  @Test
  void noDns64MeansNoPrefix() {
    assertThat(Nat64.discover(host -> new InetAddress[] {ip("192.0.0.170")})).isEmpty();
    assertThat(
            Nat64.discover(
                host -> {
                  throw new UnknownHostException(host);
                }))
        .isEmpty();
    assertThat(Nat64.discover(host -> new InetAddress[] {ip("2001:db8::1")})).isEmpty();
  }

  @Test
  void aBadPrefixIsRefusedWithWhatIsWrong() {
    assertThatThrownBy(() -> Nat64.parse("64:ff9b::"))
        .hasMessageContaining("'64:ff9b::' is not ADDRESS/LENGTH");
    assertThatThrownBy(() -> Nat64.parse("64:ff9b::/80")).hasMessageContaining("not 80");
    assertThatThrownBy(() -> Nat64.parse("64:ff9b::/x")).hasMessageContaining("not a number");
    assertThatThrownBy(() -> Nat64.parse("192.0.2.0/96")).hasMessageContaining("not an IPv6");
    assertThatThrownBy(() -> Nat64.parse("mirror.test/96")).hasMessageContaining("not an IPv6");
    assertThatThrownBy(() -> Nat64.parse("::ffff:0:0/96")).hasMessageContaining("IPv4-mapped");
  }
}
