package org.mirrordirector.failover.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Host name to addresses: the system's resolver ({@code InetAddress::getAllByName}), or a test's.
 */
public interface Resolver {
  InetAddress[] resolve(String host) throws UnknownHostException;
}
