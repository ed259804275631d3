package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every country has a continent: checked against Debian's list of ISO 3166-1 codes (package
 * iso-codes, which the test command installs when run as root; skipped without it), and, in its
 * twin that runs everywhere, against the table's size and the assignments that differ between
 * conventions.
 */
class CountryContinentsTest {
  private static final Set<String> CONTINENTS = Set.of("AF", "AN", "AS", "EU", "NA", "OC", "SA");

  @Test
  void everyIsoCountryOfDebiansListHasOne() throws Exception {
    Path iso = Path.of("/usr/share/iso-codes/json/iso_3166-1.json");
    assumeTrue(Files.isReadable(iso), "no iso-codes package");
    Set<String> missing = new TreeSet<>();
    int n = 0;
    for (JsonNode c : new ObjectMapper().readTree(iso.toFile()).get("3166-1")) {
      String code = c.get("alpha_2").asText();
      n++;
      String continent = CountryContinents.of(code);
      if (continent == null) {
        missing.add(code);
      } else {
        assertThat(CONTINENTS).as(code).contains(continent);
      }
    }
    assertThat(n).isGreaterThanOrEqualTo(249);
    assertThat(missing).isEmpty();
  }

  @Test
  void theAssignmentsAreGeoNamesAndMaxMinds() {
    assertThat(CountryContinents.all()).hasSize(250); // ISO's 249 and XK (Kosovo)
    assertThat(CountryContinents.all().values()).allMatch(CONTINENTS::contains);
    assertThat(CountryContinents.of("GB")).isEqualTo("EU");
    assertThat(CountryContinents.of("RU")).isEqualTo("EU");
    assertThat(CountryContinents.of("TR")).isEqualTo("AS");
    assertThat(CountryContinents.of("CY")).isEqualTo("AS");
    assertThat(CountryContinents.of("GE")).isEqualTo("AS");
    assertThat(CountryContinents.of("EG")).isEqualTo("AF");
    assertThat(CountryContinents.of("TL")).isEqualTo("OC");
    assertThat(CountryContinents.of("PA")).isEqualTo("NA");
    assertThat(CountryContinents.of("GF")).isEqualTo("SA");
    assertThat(CountryContinents.of("AQ")).isEqualTo("AN");
    assertThat(CountryContinents.of("AS")).as("American Samoa").isEqualTo("OC");
    assertThat(CountryContinents.of("NA")).as("Namibia").isEqualTo("AF");
    assertThat(CountryContinents.of("ZZ")).isNull();
    assertThat(CountryContinents.of(null)).isNull();
  }
}
