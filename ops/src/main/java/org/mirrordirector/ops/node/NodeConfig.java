package org.mirrordirector.ops.node;

import java.nio.file.Path;
import java.util.List;

/**
 * The configuration of one node ({@code mirrorctl node --config node.yaml}), read once and checked
 * once by {@link NodeConfigFile}, then read-only. Every option, its one default and its meaning are
 * in {@link NodeOptions#ALL}; the example file, {@code mirrorctl node --print-config} and the
 * configuration reference come from there.
 */
public record NodeConfig(
    Path file,
    NodeSection node,
    ZooKeeperSection zookeeper,
    ArchiveSection archive,
    DirectorSection director,
    ProbeSection probe,
    HooksSection hooks,
    List<ArchiveSection> moreArchives,
    NetworkSection network) {

  /** Every archive this node serves: {@code archive:} first, then those of {@code archives:}. */
  public List<ArchiveSection> archives() {
    List<ArchiveSection> all = new java.util.ArrayList<>();
    all.add(archive);
    all.addAll(moreArchives);
    return all;
  }

  /** The archive of this name, if the node serves one. */
  public java.util.Optional<ArchiveSection> archive(String name) {
    return archives().stream().filter(a -> a.name().equals(name)).findFirst();
  }
}
