package org.mirrordirector.failover.net;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;

/** No address of a host connected: every attempt, each with what became of it. */
public final class NoAddressAnswered extends ConnectException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConnectAttempt> attempts;

  NoAddressAnswered(String host, List<ConnectAttempt> attempts) {
    super("no address of " + host + " answered: " + summary(attempts));
    this.attempts = List.copyOf(attempts);
  }

  public List<ConnectAttempt> attempts() {
    return attempts;
  }

  /** The attempts in words: {@code connection refused at [::1]:80; ...}. */
  public String summary() {
    return summary(attempts);
  }

  /** Whether every attempt failed because this node has no path to the address. */
  public boolean noPath() {
    return attempts.stream().allMatch(a -> a.failure() == ConnectFailure.NO_PATH);
  }

  static String summary(List<ConnectAttempt> attempts) {
    List<String> parts = new ArrayList<>();
    for (ConnectAttempt a : attempts) {
      parts.add(a.toString());
    }
    return String.join("; ", parts);
  }
}
