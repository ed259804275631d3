package org.mirrordirector.ops.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The build's version and commit, written into the jar by the packaging step. */
public final class BuildInfo {
  /** Where the packaging step writes them, as a resource of the jar. */
  public static final String PROPERTIES = "/org/mirrordirector/ops/build.properties";

  private BuildInfo() {}

  /** The version and commit, from the jar; "(development build)" when not packaged. */
  public static String describe() {
    try (InputStream in = BuildInfo.class.getResourceAsStream(PROPERTIES)) {
      if (in == null) {
        return "(development build)";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version")
          + " (commit "
          + p.getProperty("commit")
          + ", "
          + p.getProperty("date")
          + ")";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
