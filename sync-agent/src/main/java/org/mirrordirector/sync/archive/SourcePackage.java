package org.mirrordirector.sync.archive;

import java.util.List;

/** A Sources stanza: the source package and the pool files it consists of. */
public record SourcePackage(String name, String version, String directory, List<PoolFile> files) {
  public SourcePackage {
    files = List.copyOf(files);
  }
}
