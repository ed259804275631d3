package org.mirrordirector.director;

/** Why a path was refused, for the 400 body and the explain output. */
public final class RejectedPath extends Exception {
  private final int status;

  RejectedPath(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
