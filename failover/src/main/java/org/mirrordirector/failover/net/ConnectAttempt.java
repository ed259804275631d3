package org.mirrordirector.failover.net;

import java.net.InetSocketAddress;

/** One address tried (by the Happy Eyeballs race) and what became of it. */
public record ConnectAttempt(InetSocketAddress address, ConnectFailure failure, String outcome) {
  @Override
  public String toString() {
    return outcome + " at " + Addresses.text(address);
  }
}
