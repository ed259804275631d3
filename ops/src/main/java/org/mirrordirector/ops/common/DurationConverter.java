package org.mirrordirector.ops.common;

import java.time.Duration;
import picocli.CommandLine;

public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return Durations.parse(value);
  }
}
