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
  void badEntriesAreNamed() {
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("proxy.example.org")))
        .hasMessage("trusted proxy 'proxy.example.org' is not an IP address or prefix");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33")))
        .hasMessage("trusted proxy '10.0.0.0/33' has an invalid prefix length");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/x")))
        .hasMessage("trusted proxy '10.0.0.0/x' has an invalid prefix length");
  }
}
