package org.mirrordirector.director;

import java.util.List;
import java.util.function.Supplier;
import org.mirrordirector.failover.ClusterView;

/**
 * A further archive of the node: its name, its roots, and what its redirector reads. Its mirrors
 * are administered under {@code /admin/archives/NAME/}.
 */
public record DirectorArchive(
    String name,
    List<String> roots,
    Supplier<ClusterView> view,
    Supplier<FileKnowledge> files,
    LocalTree local,
    CatchUp catchUp) {
  public DirectorArchive {
    roots = List.copyOf(roots);
    catchUp = catchUp == null ? CatchUp.NONE : catchUp;
  }
}
