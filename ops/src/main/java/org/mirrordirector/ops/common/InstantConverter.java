package org.mirrordirector.ops.common;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.mirrordirector.sync.archive.Rfc2822Dates;
import picocli.CommandLine;

public final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
  @Override
  public Instant convert(String value) {
    if (value.equals("now")) {
      return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      try {
        return Rfc2822Dates.parse(value);
      } catch (IllegalArgumentException e2) {
        throw new CommandLine.TypeConversionException(
            "'"
                + value
                + "' is not a date: use ISO 8601 (2026-01-01T00:00:00Z), RFC 2822 (Thu, 01"
                + " Jan 2026 00:00:00 UTC) or now");
      }
    }
  }
}
