package org.mirrordirector.ops.node;

/** A configuration that cannot be used; the message names the file, line, key and reason. */
public final class InvalidConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidConfigException(String message) {
    super(message);
  }
}
