package org.mirrordirector.failover;

/**
 * A shared-state write refused because this node is no longer the leader of the epoch it wrote in:
 * another node was promoted since. The node has been demoted when this is thrown.
 */
public final class FencedOutException extends Exception {
  private static final long serialVersionUID = 1L;

  public FencedOutException(String message) {
    super(message);
  }
}
