package org.mirrordirector.failover;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.apache.zookeeper.client.HostProvider;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZooKeeper's host provider, trying every address of every server as a dual-stack client should:
 * the servers in a shuffled order (the load spread as ZooKeeper's own provider spreads it), each
 * server's addresses in {@link HappyEyeballs}' order (IPv6 first, the families interleaved, IPv4
 * also through the node's NAT64 prefix, the address that answered last first), resolved afresh on
 * each pass. ZooKeeper's {@code StaticHostProvider} tries one address of a name, drawn at random,
 * so from an IPv6-only node half its attempts at a dual-stack name go to an IPv4 address it cannot
 * reach. An address this node has no path to fails at once, so the next is tried at once.
 */
public final class ZooKeeperHostProvider implements HostProvider {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperHostProvider.class);

  /** One address to try, and the server name it is an address of. */
  private record Entry(String server, InetSocketAddress address) {}

  private final HappyEyeballs eyeballs;
  private List<InetSocketAddress> servers;
  private List<Entry> pass = List.of();
  private int index;
  private boolean connectedThisPass;
  private Entry last;
  private Entry connected;

  /**
   * @param servers the ensemble's servers, unresolved (as {@code ConnectStringParser} gives them)
   */
  public ZooKeeperHostProvider(Collection<InetSocketAddress> servers, HappyEyeballs eyeballs) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no ZooKeeper server in the connect string");
    }
    this.servers = List.copyOf(servers);
    this.eyeballs = eyeballs;
  }

  @Override
  public synchronized int size() {
    return servers.size();
  }

  @Override
  public InetSocketAddress next(long spinDelay) {
    boolean wait;
    synchronized (this) {
      wait = index >= pass.size() && !pass.isEmpty() && !connectedThisPass;
    }
    if (wait && spinDelay > 0) {
      try {
        Thread.sleep(spinDelay); // a whole pass failed: as ZooKeeper's own provider, wait a bit
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (index >= pass.size()) {
        pass = newPass();
        index = 0;
        connectedThisPass = false;
      }
      last = pass.get(index++);
      return last.address();
    }
  }

  private List<Entry> newPass() {
    List<InetSocketAddress> order = new ArrayList<>(servers);
    Collections.shuffle(order);
    List<Entry> out = new ArrayList<>();
    for (InetSocketAddress s : order) {
      String name = s.getHostString();
      try {
        for (InetSocketAddress a : eyeballs.order(name, s.getPort())) {
          out.add(new Entry(name, a));
        }
      } catch (UnknownHostException e) {
        LOG.warn("ZooKeeper server {} does not resolve: {}", name, e.getMessage());
        out.add(new Entry(name, s)); // unresolved: ZooKeeper reports it and moves on
      }
    }
    return out;
  }

  /** The address of the server this client is connected to (the one that answered), or null. */
  public synchronized InetSocketAddress connected() {
    return connected == null ? null : connected.address();
  }

  @Override
  public void onConnected() {
    Entry now;
    Entry before;
    synchronized (this) {
      connectedThisPass = true;
      before = connected;
      connected = last;
      now = last;
    }
    if (now != null && !now.address().isUnresolved()) {
      eyeballs.answered(now.server(), now.address().getPort(), now.address().getAddress());
      if (!now.equals(before)) {
        LOG.info(
            "ZooKeeper: connected to {} ({})", now.server(), HappyEyeballs.text(now.address()));
      }
    }
  }

  @Override
  public synchronized boolean updateServerList(
      Collection<InetSocketAddress> serverAddresses, InetSocketAddress currentHost) {
    servers = List.copyOf(serverAddresses);
    pass = List.of();
    index = 0;
    return false;
  }
}
