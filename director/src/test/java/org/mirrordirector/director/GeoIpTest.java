package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real MaxMind DB files, written by MaxMind's own writer (Debian's libmaxmind-db-writer-perl) in
 * the GeoLite2 City and ASN layouts and in the flat ip-location-db layout, read by MaxMind's
 * reader.
 */
class GeoIpTest {
  @TempDir Path dir;

  /**
   * Writes a database with MaxMind::DB::Writer; {@code inserts} are Perl insert_network calls. The
   * test networks are documentation ranges, which the writer drops unless told not to.
   */
  Path mmdb(String name, String type, String inserts) throws Exception {
    return mmdb(name, type, inserts, 6);
  }

  /** As above, with the tree's IP version: ip-location-db publishes -ipv4 and -ipv6 files. */
  Path mmdb(String name, String type, String inserts, int ipVersion) throws Exception {
    Path script = dir.resolve(name + ".pl");
    Path out = dir.resolve(name + ".mmdb");
    Files.writeString(
        script,
        "use strict; use warnings; use MaxMind::DB::Writer::Tree;\n"
            + "my %t = (country => 'map', registered_country => 'map', continent => 'map',"
            + " location => 'map', iso_code => 'utf8_string', code => 'utf8_string',"
            + " latitude => 'double', longitude => 'double', country_code => 'utf8_string',"
            + " autonomous_system_number => 'uint32', autonomous_system_organization =>"
            + " 'utf8_string');\n"
            + "my $tree = MaxMind::DB::Writer::Tree->new(ip_version => "
            + ipVersion
            + ", record_size => 24,"
            + " remove_reserved_networks => 0,"
            + " database_type => '"
            + type
            + "', languages => ['en'], description => { en => 'test' },"
            + " map_key_type_callback => sub { $t{ $_[0] } });\n"
            + inserts
            + "open my $fh, '>:raw', $ARGV[0] or die; $tree->write_tree($fh); close $fh;\n");
    Process p =
        new ProcessBuilder("perl", script.toString(), out.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor())
        .as("perl MaxMind::DB::Writer (libmaxmind-db-writer-perl): " + log)
        .isZero();
    return out;
  }

  @Test
  void cityAndAsnDatabasesAreMerged() throws Exception {
    Path city =
        mmdb(
            "city",
            "GeoLite2-City",
            "$tree->insert_network('192.0.2.0/24', { country => { iso_code => 'GB' }, continent =>"
                + " { code => 'EU' }, location => { latitude => 51.5, longitude => -0.12 } });\n"
                + "$tree->insert_network('2001:db8::/32', { country => { iso_code => 'DE' },"
                + " continent => { code => 'EU' }, location => { latitude => 52.5, longitude =>"
                + " 13.4 } });\n");
    Path asn =
        mmdb(
            "asn",
            "GeoLite2-ASN",
            "$tree->insert_network('192.0.2.0/25', { autonomous_system_number => 64500,"
                + " autonomous_system_organization => 'Example' });\n");
    try (GeoIp g = GeoIp.open(List.of(city, asn))) {
      ClientLocation gb = g.apply("192.0.2.10");
      assertThat(gb.country()).isEqualTo("GB");
      assertThat(gb.continent()).isEqualTo("EU");
      assertThat(gb.asn()).isEqualTo(64500L);
      assertThat(gb.latitude()).isEqualTo(51.5);
      assertThat(gb.longitude()).isEqualTo(-0.12);
      ClientLocation noAsn = g.apply("192.0.2.200");
      assertThat(noAsn.country()).isEqualTo("GB");
      assertThat(noAsn.asn()).isNull();
      assertThat(g.apply("2001:db8::1").country()).isEqualTo("DE");
      ClientLocation nowhere = g.apply("203.0.113.1");
      assertThat(nowhere.country()).isNull();
      assertThat(nowhere.address()).isEqualTo("203.0.113.1");
      assertThat(g.apply("not an address").country()).isNull();
    }
  }

  @Test
  void theFlatIpLocationDbLayoutIsRead() throws Exception {
    Path flat =
        mmdb(
            "flat",
            "ip-location-db country",
            "$tree->insert_network('198.51.100.0/24', { country_code => 'fr', latitude => 48.85,"
                + " longitude => 2.35 });\n");
    try (GeoIp g = GeoIp.open(List.of(flat))) {
      ClientLocation fr = g.apply("198.51.100.7");
      assertThat(fr.country()).isEqualTo("FR");
      assertThat(fr.latitude()).isEqualTo(48.85);
      assertThat(fr.continent()).as("the layout has none: the country's").isEqualTo("EU");
    }
  }

  @Test
  void aDatabasesOwnContinentWinsOverTheCountrysAndNoCountryMeansNoContinent() throws Exception {
    Path city =
        mmdb(
            "odd",
            "GeoLite2-City",
            // Turkey: AS by the table; a database may say otherwise, and it is believed.
            "$tree->insert_network('192.0.2.0/24', { country => { iso_code => 'TR' }, continent =>"
                + " { code => 'EU' } });\n"
                + "$tree->insert_network('198.51.100.0/24', { country => { iso_code => 'TR' } });\n"
                + "$tree->insert_network('203.0.113.0/24', { location => { latitude => 1.0,"
                + " longitude => 2.0 } });\n");
    try (GeoIp g = GeoIp.open(List.of(city))) {
      assertThat(g.apply("192.0.2.1").continent()).isEqualTo("EU");
      assertThat(g.apply("198.51.100.1").continent()).isEqualTo("AS");
      assertThat(g.apply("203.0.113.1").continent()).isNull();
    }
  }

  @Test
  void separateIpv4AndIpv6FilesLocateClientsOfBothFamilies() throws Exception {
    // ip-location-db ships each database as an -ipv4.mmdb (an IPv4 tree) and an -ipv6.mmdb.
    Path v4 =
        mmdb(
            "country-ipv4",
            "ip-location-db country",
            "$tree->insert_network('198.51.100.0/24', { country_code => 'FR' });\n"
                // 32.1.13.184 is the first 32 bits of 2001:db8:1::7 and 2001:db8:2::7: an IPv4
                // tree asked for an IPv6 address answers from them.
                + "$tree->insert_network('32.1.0.0/16', { country_code => 'BR' });\n",
            4);
    Path v6 =
        mmdb(
            "country-ipv6",
            "ip-location-db country",
            "$tree->insert_network('2001:db8:1::/48', { country_code => 'JP' });\n",
            6);
    try (GeoIp g = GeoIp.open(List.of(v4, v6))) {
      assertThat(g.apply("198.51.100.7").country()).isEqualTo("FR");
      assertThat(g.apply("2001:db8:1::7").country())
          .as("an IPv6 client, not an error from the IPv4-only tree")
          .isEqualTo("JP");
      assertThat(g.apply("2001:db8:2::7").country())
          .as("not in the IPv6 file; never the IPv4 tree's 32.1.13.184")
          .isNull();
      assertThat(g.apply("32.1.13.184").country()).isEqualTo("BR");
    }
  }

  @Test
  void aMissingOrForeignFileIsNamed() throws Exception {
    assertThatThrownBy(() -> GeoIp.open(List.of(dir.resolve("nope.mmdb"))))
        .hasMessage("GeoIP database " + dir.resolve("nope.mmdb") + " does not exist");
    Path junk = dir.resolve("junk.mmdb");
    Files.writeString(junk, "this is not a database\n".repeat(10));
    assertThatThrownBy(() -> GeoIp.open(List.of(junk)))
        .hasMessageStartingWith("GeoIP database " + junk + " is not a MaxMind DB file");
  }
}
