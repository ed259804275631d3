package org.mirrordirector.sync.archive;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The dates of Release files: RFC 2822 with the zone written as UTC, GMT, Z or a numeric offset
 * ("Sat, 10 Aug 2024 08:45:12 UTC"), which java.time's RFC 1123 formatter does not all accept.
 */
public final class Rfc2822Dates {
  private static final DateTimeFormatter LOCAL =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss", Locale.ROOT);
  private static final DateTimeFormatter WRITE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private Rfc2822Dates() {}

  /** Parses a Release date; the message of the exception names the text that failed. */
  public static Instant parse(String text) {
    String t = text.trim();
    int sp = t.lastIndexOf(' ');
    if (sp < 0) {
      throw new IllegalArgumentException("not an RFC 2822 date: '" + text + "'");
    }
    String zone = t.substring(sp + 1);
    ZoneOffset offset;
    switch (zone.toUpperCase(Locale.ROOT)) {
      case "UTC", "GMT", "Z", "UT" -> offset = ZoneOffset.UTC;
      default -> {
        if (!zone.matches("[+-]\\d{4}")) {
          throw new IllegalArgumentException(
              "not an RFC 2822 date (zone '" + zone + "'): '" + text + "'");
        }
        int sign = zone.charAt(0) == '-' ? -1 : 1;
        int hh = Integer.parseInt(zone.substring(1, 3));
        int mm = Integer.parseInt(zone.substring(3, 5));
        try {
          offset = ZoneOffset.ofHoursMinutes(sign * hh, sign * mm);
        } catch (java.time.DateTimeException e) {
          throw new IllegalArgumentException(
              "not an RFC 2822 date (zone '" + zone + "'): '" + text + "'");
        }
      }
    }
    try {
      return LocalDateTime.parse(t.substring(0, sp), LOCAL).toInstant(offset);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an RFC 2822 date: '" + text + "'", e);
    }
  }

  /** Formats as Debian's archive tools do: "Sat, 10 Aug 2024 08:45:12 UTC". */
  public static String format(Instant instant) {
    return WRITE.format(instant);
  }
}
