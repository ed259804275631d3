package org.mirrordirector.sync.archive;

/** A signature that does not prove the file came from a trusted key; the message says why. */
public final class SignatureException extends Exception {
  private static final long serialVersionUID = 1L;

  public SignatureException(String message) {
    super(message);
  }

  public SignatureException(String message, Throwable cause) {
    super(message, cause);
  }
}
