package org.mirrordirector.ops.drill;

import java.io.IOException;

/** The cluster was not fit for a drill; nothing was done. */
public final class PreflightFailed extends IOException {
  private static final long serialVersionUID = 1L;

  public PreflightFailed(String message) {
    super("preflight failed: " + message);
  }
}
