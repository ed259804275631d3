package org.mirrordirector.sync;

import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.NodeInfo;
import org.mirrordirector.failover.Role;

/**
 * Where a node copies from: the real upstream while it is the active node; the active node's
 * published tree (its rsync module) while it is the hot spare, so that it holds exactly what the
 * active node serves, verified the same way. With no active node in sight (a cluster starting, a
 * registry outage) a standby copies from the real upstream: that is never wrong, only less exact.
 */
public final class HotSpareUpstream implements Supplier<String> {
  private final String real;
  private final java.util.function.BooleanSupplier active;
  private final String self;
  private final Supplier<ClusterView> view;

  private final String module;

  public HotSpareUpstream(String real, Leadership leadership, Supplier<ClusterView> view) {
    this(real, leadership, view, null);
  }

  /**
   * @param module the active node's module to copy from, when not the one it advertises (its first
   *     archive's, {@code archive}): a further archive's module, named after the archive
   */
  public HotSpareUpstream(
      String real, Leadership leadership, Supplier<ClusterView> view, String module) {
    this(
        real,
        () -> leadership.role() == Role.ACTIVE,
        Objects.requireNonNull(leadership, "leadership").nodeId(),
        view,
        module);
  }

  private HotSpareUpstream(
      String real,
      java.util.function.BooleanSupplier active,
      String self,
      Supplier<ClusterView> view,
      String module) {
    this.real = SyncConfig.checkUpstream(real);
    this.active = active;
    this.self = self;
    this.view = Objects.requireNonNull(view, "view");
    this.module = module;
  }

  /**
   * A director replica's source: the active node's module, always (a replica never becomes the
   * active node); {@code real} only while no active node is in its view (a replica starting, or its
   * region cut off before it ever saw one).
   */
  public static HotSpareUpstream forReplica(
      String real, String self, Supplier<ClusterView> view, String module) {
    return new HotSpareUpstream(real, () -> false, self, view, module);
  }

  @Override
  public String get() {
    if (active.getAsBoolean()) {
      return real;
    }
    return activePeer().map(NodeInfo::rsync).map(this::inModule).orElse(real);
  }

  /** rsync://host:port/archive/ becomes rsync://host:port/MODULE/ for a further archive. */
  private String inModule(String advertised) {
    if (module == null || !advertised.endsWith("/archive/")) {
      return advertised;
    }
    return advertised.substring(0, advertised.length() - "archive/".length()) + module + "/";
  }

  /** The active node other than this one that publishes a tree, the one of the newest epoch. */
  public Optional<NodeInfo> activePeer() {
    return view.get().nodes().values().stream()
        .filter(n -> n.role() == Role.ACTIVE)
        .filter(n -> !n.id().equals(self))
        .filter(n -> n.rsync() != null)
        .max(Comparator.comparingLong(NodeInfo::epoch));
  }
}
