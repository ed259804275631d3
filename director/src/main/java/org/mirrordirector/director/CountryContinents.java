package org.mirrordirector.director;

import java.util.HashMap;
import java.util.Map;

/**
 * The continent of each ISO 3166-1 country code, as GeoNames and MaxMind assign them (AF, AN, AS,
 * EU, NA, OC, SA; Turkey, Cyprus and the Caucasus in AS, Timor-Leste in OC). Databases that give a
 * country and no continent (ip-location-db's country and DB-IP lite layouts) would otherwise leave
 * every client without one, and the ranking's continent tier would never apply to them: a client in
 * a country with no mirror would be sent anywhere in the world rather than to its own continent.
 */
final class CountryContinents {
  private CountryContinents() {}

  private static final Map<String, String> BY_COUNTRY = new HashMap<>();

  static {
    put(
        "AF",
        "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG"
            + " ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM"
            + " ZW");
    put("AN", "AQ BV GS HM TF");
    put(
        "AS",
        "AE AF AM AZ BD BH BN BT CC CN CX CY GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB"
            + " LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TM TR TW UZ VN YE");
    put(
        "EU",
        "AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT"
            + " LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK");
    put(
        "NA",
        "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI"
            + " PA PM PR SV SX TC TT US VC VG VI");
    put("OC", "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TL TO TV UM VU WF WS");
    put("SA", "AR BO BR CL CO EC FK GF GY PE PY SR UY VE");
  }

  private static void put(String continent, String countries) {
    for (String c : countries.split(" ")) {
      if (BY_COUNTRY.put(c, continent) != null) {
        throw new IllegalStateException("country " + c + " listed twice");
      }
    }
  }

  /** The continent code of an upper-case two-letter country code, or null when it is not one. */
  static String of(String country) {
    return country == null ? null : BY_COUNTRY.get(country);
  }

  /** Every country code known, with its continent (for tests). */
  static Map<String, String> all() {
    return Map.copyOf(BY_COUNTRY);
  }
}
