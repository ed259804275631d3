package org.mirrordirector.director;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where this node's verified snapshot trees are, for serving files itself. */
public interface LocalTree {
  Optional<Path> current();

  /**
   * Every kept snapshot, the current one first. A pool or by-hash file that a client's older
   * indexes name is served from the kept snapshot that still has it, rather than a 404.
   */
  default List<Path> kept() {
    return current().map(List::of).orElse(List.of());
  }
}
