package org.mirrordirector.ops.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mirrordirector.director.FileKnowledge;
import org.mirrordirector.sync.SyncReport;
import org.mirrordirector.sync.SyncService;
import org.mirrordirector.sync.SyncStats;

/** What a node says of itself on the status page ({@code status.json}'s {@code thisNode}). */
public final class NodeSelfReport {
  private NodeSelfReport() {}

  /** For the status page: this node's syncs and what it knows, per archive. */
  public static Map<String, Object> of(String id, SyncService sync, List<ArchiveStack> stacks) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    SyncStats st = sync.stats();
    m.put("syncRuns", st.runs());
    m.put("syncRunning", st.running());
    SyncReport last = st.last();
    if (last != null) {
      m.put("lastSyncOutcome", last.outcome().name());
      m.put("lastSyncUpstream", last.upstream());
      m.put("lastSyncAtMillis", stacks.get(0).lastSyncAt);
      if (!last.problems().isEmpty()) {
        m.put("lastSyncProblems", last.problems());
      }
    }
    if (stacks.get(0).lastPublishedAt > 0) {
      m.put("lastPublishedAtMillis", stacks.get(0).lastPublishedAt);
    }
    m.put("newestKnown", newestKnown(stacks.get(0)));
    if (stacks.size() > 1) {
      List<Map<String, Object>> archives = new ArrayList<>();
      for (ArchiveStack as : stacks) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("name", as.name());
        x.put("roots", as.section.roots());
        x.put("current", as.view().current() == null ? null : as.view().current().snapshot());
        x.put("mirrors", as.view().mirrors().size());
        SyncReport l = as.sync.stats().last();
        x.put("lastSyncOutcome", l == null ? null : l.outcome().name());
        x.put("newestKnown", newestKnown(as));
        archives.add(x);
      }
      m.put("archives", archives);
    }
    return m;
  }

  /**
   * Per suite, the InRelease hash of the newest snapshot the director knows the files of: its own,
   * or one learned from a mirror or its sync before it was published here. A file that snapshot no
   * longer lists is not sent to mirrors that may have moved on.
   */
  private static Map<String, String> newestKnown(ArchiveStack as) {
    Map<String, String> m = new java.util.TreeMap<>();
    FileKnowledge files = as.files.get();
    for (String suite : as.section.suites()) {
      files.newest(suite).ifPresent(n -> m.put(suite, n.inRelease()));
    }
    return m;
  }
}
