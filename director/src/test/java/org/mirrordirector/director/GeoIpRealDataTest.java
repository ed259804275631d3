package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GeoIP on data no one here made: ip-location-db's geo-whois-asn-country database from npm, as it
 * ships, an -ipv4.mmdb and an -ipv6.mmdb file. The test command fetches the pinned package (npm
 * pack) into ~/.cache/mirrordirector/geoip when npm is there; without it (no npm, no registry) the
 * test is skipped. Its twin that runs everywhere is {@link
 * GeoIpTest#separateIpv4AndIpv6FilesLocateClientsOfBothFamilies}: files of the same layout written
 * by MaxMind's own writer, with the IPv4 tree baited for the same bug.
 */
class GeoIpRealDataTest {
  static final Path DIR =
      Path.of(
          System.getProperty(
              "md.geoip.real", System.getProperty("user.home") + "/.cache/mirrordirector/geoip"));

  @Test
  void realIpv4AndIpv6DatabasesLocateClientsOfBothFamilies() throws Exception {
    Path v4 = DIR.resolve("geo-whois-asn-country-ipv4.mmdb");
    Path v6 = DIR.resolve("geo-whois-asn-country-ipv6.mmdb");
    assumeTrue(Files.isReadable(v4) && Files.isReadable(v6), "no ip-location-db files in " + DIR);
    try (GeoIp g = GeoIp.open(List.of(v4, v6))) {
      // Registrations that do not move: Google's public DNS, Deutsche Telekom's 2003::/19.
      assertThat(g.apply("8.8.8.8").country()).isEqualTo("US");
      assertThat(g.apply("2001:4860:4860::8888").country()).isEqualTo("US");
      assertThat(g.apply("2003:e0::1").country())
          .as("from the IPv6 file; the IPv4-only tree would say US (32.3.0.224, its first bits)")
          .isEqualTo("DE");
      assertThat(g.apply("::1").country()).as("loopback is nowhere").isNull();
      // The files have no continents: the country's.
      assertThat(g.apply("8.8.8.8").continent()).isEqualTo("NA");
      assertThat(g.apply("2003:e0::1").continent()).isEqualTo("EU");
    }
  }
}
