package org.mirrordirector.ops.drill;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the drill's load goes.
 *
 * @param root the archive's path on the director, like {@code /raspbian/}
 * @param suite the suite whose InRelease and packages are requested
 * @param aptKeyring when not null, a real {@code apt-get update} loop runs too, trusting this
 *     keyring
 * @param duration the load runs at least this long (the drill may need longer)
 */
public record DrillLoadPlan(String root, String suite, Path aptKeyring, Duration duration) {
  public DrillLoadPlan {
    if (!root.matches("/([A-Za-z0-9._-]+/)*")) {
      throw new IllegalArgumentException("the root must look like /raspbian/: '" + root + "'");
    }
    if (!suite.matches("[A-Za-z0-9][A-Za-z0-9.+_-]*")) {
      throw new IllegalArgumentException("'" + suite + "' is not a suite name");
    }
  }
}
