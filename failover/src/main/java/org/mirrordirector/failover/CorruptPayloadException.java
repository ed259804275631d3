package org.mirrordirector.failover;

/** A payload in the registry that cannot be used; the message names the znode and why. */
public final class CorruptPayloadException extends Exception {
  private static final long serialVersionUID = 1L;

  CorruptPayloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
