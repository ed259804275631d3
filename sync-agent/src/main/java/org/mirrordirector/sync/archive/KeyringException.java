package org.mirrordirector.sync.archive;

import java.io.IOException;

/** A keyring file that cannot be used: unreadable, not OpenPGP, or lacking a pinned key. */
public final class KeyringException extends IOException {
  private static final long serialVersionUID = 1L;

  public KeyringException(String message) {
    super(message);
  }

  public KeyringException(String message, Throwable cause) {
    super(message, cause);
  }
}
