package org.mirrordirector.failover.net;

import java.net.InetSocketAddress;

/** One address tried by {@link HappyEyeballs} and what became of it. */
public record ConnectAttempt(InetSocketAddress address, ConnectFailure failure, String outcome) {
  @Override
  public String toString() {
    return outcome + " at " + HappyEyeballs.text(address);
  }
}
