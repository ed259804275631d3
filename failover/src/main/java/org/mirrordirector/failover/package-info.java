/**
 * The registry in ZooKeeper and the election over it.
 *
 * <ul>
 *   <li>Where things live: {@link org.mirrordirector.failover.RegistryPaths}; how they are written
 *       and read: {@link org.mirrordirector.failover.RegistryCodec}, {@link
 *       org.mirrordirector.failover.RegistryWriter}, {@link
 *       org.mirrordirector.failover.RegistryReader} (a cached {@link
 *       org.mirrordirector.failover.ClusterView} for the director).
 *   <li>The payloads ({@link org.mirrordirector.failover.MirrorConfig}, {@link
 *       org.mirrordirector.failover.MirrorState}, {@link org.mirrordirector.failover.NodeInfo},
 *       {@link org.mirrordirector.failover.SnapshotRecord}, ...) are records checked when built, so
 *       a payload read from ZooKeeper that breaks a rule is reported and skipped instead of
 *       reaching the director. Their times are epoch milliseconds (wall clock: shown to people,
 *       never used for leases).
 *   <li>The election: {@link org.mirrordirector.failover.Leadership} over a Curator leader latch,
 *       the epoch that fences every shared write ({@code EpochZnode}), the round trips behind a
 *       leader's claim ({@code QuorumContact}) and the node's own znode ({@code NodePresence}).
 * </ul>
 */
package org.mirrordirector.failover;
