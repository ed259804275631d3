package org.mirrordirector.sync.probe;

import java.nio.channels.ClosedChannelException;
import org.mirrordirector.failover.net.NoAddressAnswered;

/** What the quick check says of a failed connection, in the words of a reason. */
final class ReachFailure {
  private ReachFailure() {}

  /** What a connection's failure says about the mirror, in words. */
  static String describe(Throwable e) {
    if (e instanceof NoAddressAnswered n) {
      return n.summary();
    }
    if (e instanceof java.net.SocketTimeoutException) {
      return e.getMessage() == null ? "timed out" : e.getMessage();
    }
    if (e instanceof ClosedChannelException) {
      return "connection closed";
    }
    String m = e.getMessage();
    if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("reset")) {
      return "connection reset";
    }
    if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("broken pipe")) {
      return "connection reset (broken pipe)";
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
