package org.mirrordirector.director;

import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.RegistryPaths;

/**
 * What the server reads from the rest of the node.
 *
 * @param leadership for the admin API's fenced writes; null when there is no admin API
 * @param self what this node says of itself for the status page (its syncs); null for nothing
 * @param catchUp what the node does when a client asks for a file the director cannot place
 */
public record DirectorSources(
    Supplier<ClusterView> view,
    Supplier<FileKnowledge> files,
    LocalTree local,
    Function<String, ClientLocation> locate,
    BooleanSupplier servingAsLeader,
    Supplier<Optional<String>> notReady,
    Leadership leadership,
    RegistryPaths paths,
    Supplier<Map<String, Object>> self,
    CatchUp catchUp) {

  public DirectorSources {
    catchUp = catchUp == null ? CatchUp.NONE : catchUp;
  }

  /** Without a catch-up hook. */
  public DirectorSources(
      Supplier<ClusterView> view,
      Supplier<FileKnowledge> files,
      LocalTree local,
      Function<String, ClientLocation> locate,
      BooleanSupplier servingAsLeader,
      Supplier<Optional<String>> notReady,
      Leadership leadership,
      RegistryPaths paths,
      Supplier<Map<String, Object>> self) {
    this(view, files, local, locate, servingAsLeader, notReady, leadership, paths, self, null);
  }

  /** Without a self-description. */
  public DirectorSources(
      Supplier<ClusterView> view,
      Supplier<FileKnowledge> files,
      LocalTree local,
      Function<String, ClientLocation> locate,
      BooleanSupplier servingAsLeader,
      Supplier<Optional<String>> notReady,
      Leadership leadership,
      RegistryPaths paths) {
    this(view, files, local, locate, servingAsLeader, notReady, leadership, paths, null);
  }
}
