package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.NodeInfo;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.ViewSource;

/** Where a replica copies its indexes from, as its view of the registry changes. */
class ReplicaUpstreamTest {
  static final String REAL = "rsync://writers.example.org/archive/";

  static ClusterView viewOf(NodeInfo... nodes) {
    Map<String, NodeInfo> m = new java.util.HashMap<>();
    for (NodeInfo n : nodes) {
      m.put(n.id(), n);
    }
    return new ClusterView(
        1, ViewSource.LIVE, true, 1, 2, "a", m, Map.of(), Map.of(), null, List.of(), List.of());
  }

  @Test
  void theActiveNodesModuleAndTheConfiguredUpstreamOnlyWhileNoneIsInSight() {
    AtomicReference<ClusterView> view = new AtomicReference<>(ClusterView.empty());
    HotSpareUpstream up = HotSpareUpstream.forReplica(REAL, "replica-1", view::get, null);
    HotSpareUpstream second = HotSpareUpstream.forReplica(REAL, "replica-1", view::get, "debian");
    assertThat(up.get()).as("no view yet").isEqualTo(REAL);
    NodeInfo self =
        new NodeInfo("replica-1", "r:8080", Role.REPLICA, 0, true, 1, null, null, "ap-south");
    NodeInfo standby =
        new NodeInfo("b", "b:8080", Role.STANDBY, 2, true, 1, null, "rsync://b:8730/archive/");
    view.set(viewOf(self, standby));
    assertThat(up.get()).as("a standby is not copied from").isEqualTo(REAL);
    NodeInfo old =
        new NodeInfo("c", "c:8080", Role.ACTIVE, 1, true, 1, null, "rsync://c:8730/archive/");
    NodeInfo active =
        new NodeInfo("a", "a:8080", Role.ACTIVE, 2, true, 1, null, "rsync://a:8730/archive/");
    view.set(viewOf(self, standby, old, active));
    assertThat(up.get()).as("the active node of the newest epoch").isEqualTo(active.rsync());
    assertThat(second.get()).isEqualTo("rsync://a:8730/debian/");
  }
}
