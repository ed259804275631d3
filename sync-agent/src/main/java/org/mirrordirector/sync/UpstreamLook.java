package org.mirrordirector.sync;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mirrordirector.sync.archive.SnapshotId;

/** What a look found: the upstream's InRelease identities, and what differs from the tree. */
record UpstreamLook(Map<String, Optional<SnapshotId>> upstream, List<String> changedSuites) {
  boolean changed() {
    return !changedSuites.isEmpty();
  }
}
