package org.mirrordirector.failover;

import java.time.Duration;
import java.util.List;

/**
 * How a node takes part in leader election. Validated once; every default is here.
 *
 * @param nodeId this node's id in the registry
 * @param address what clients or peers reach the node at (shown on the status page)
 * @param sessionTimeout requested ZooKeeper session timeout S (the server may clamp it)
 * @param connectionTimeout how long a connection attempt may take
 * @param contactInterval how often the node proves a round trip to ZooKeeper
 * @param rejoinBackoff how long a node that lost its session or gave up leadership waits before it
 *     stands for election again
 * @param hookTimeout how long a promotion or demotion command may run before it is killed
 * @param onPromote command run (with MD_EPOCH, MD_NODE, MD_ROLE in its environment) when the node
 *     becomes ACTIVE; empty for none
 * @param onDemote command run when the node stops being ACTIVE; empty for none
 */
public record LeadershipConfig(
    String nodeId,
    String address,
    Duration sessionTimeout,
    Duration connectionTimeout,
    Duration contactInterval,
    Duration rejoinBackoff,
    Duration hookTimeout,
    List<String> onPromote,
    List<String> onDemote) {

  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(4);

  public LeadershipConfig {
    RegistryPaths.requireId("node", nodeId);
    positive("sessionTimeout", sessionTimeout);
    positive("connectionTimeout", connectionTimeout);
    positive("contactInterval", contactInterval);
    positive("rejoinBackoff", rejoinBackoff);
    positive("hookTimeout", hookTimeout);
    if (sessionTimeout.toMillis() < 1000) {
      throw new IllegalArgumentException("sessionTimeout must be at least 1s: " + sessionTimeout);
    }
    if (contactInterval.multipliedBy(4).compareTo(sessionTimeout) > 0) {
      throw new IllegalArgumentException(
          "contactInterval ("
              + contactInterval
              + ") must be at most a quarter of sessionTimeout ("
              + sessionTimeout
              + ")");
    }
    onPromote = List.copyOf(onPromote);
    onDemote = List.copyOf(onDemote);
  }

  /** Defaults: S = 4 s, connection 3 s, contact every S/16, rejoin after 1 s, hooks 10 s. */
  public static LeadershipConfig defaults(String nodeId, String address) {
    return withSessionTimeout(nodeId, address, DEFAULT_SESSION_TIMEOUT);
  }

  public static LeadershipConfig withSessionTimeout(String nodeId, String address, Duration s) {
    return new LeadershipConfig(
        nodeId,
        address,
        s,
        Duration.ofSeconds(3),
        Duration.ofMillis(Math.max(50, s.toMillis() / 16)),
        Duration.ofSeconds(1),
        Duration.ofSeconds(10),
        List.of(),
        List.of());
  }

  public LeadershipConfig withHooks(List<String> promote, List<String> demote) {
    return new LeadershipConfig(
        nodeId,
        address,
        sessionTimeout,
        connectionTimeout,
        contactInterval,
        rejoinBackoff,
        hookTimeout,
        promote,
        demote);
  }

  public LeadershipConfig withRejoinBackoff(Duration d) {
    return new LeadershipConfig(
        nodeId,
        address,
        sessionTimeout,
        connectionTimeout,
        contactInterval,
        d,
        hookTimeout,
        onPromote,
        onDemote);
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
