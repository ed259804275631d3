package org.mirrordirector.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.mirrordirector.sync.archive.SnapshotId;

/**
 * Cheap upstream change detection: copies each suite's InRelease (a few KB) with rsync, comparing
 * by checksum (a Release regenerated within the same second at the same size is still seen), and
 * compares its SHA-256 with the current snapshot's. A sync runs only when one differs.
 */
final class UpstreamWatch {
  private final Rsync rsync;
  private final Path scratch;
  private final List<String> suites;

  UpstreamWatch(Rsync rsync, Path scratch, List<String> suites) {
    this.rsync = rsync;
    this.scratch = scratch;
    this.suites = List.copyOf(suites);
  }

  /**
   * Looks at the upstream's InRelease files and compares them with {@code current}'s (a snapshot
   * tree, or empty before the first sync: then everything has changed).
   *
   * @throws IOException when the upstream cannot be asked
   */
  UpstreamLook look(String upstream, Optional<Path> current)
      throws IOException, InterruptedException {
    Map<String, Optional<SnapshotId>> found = new LinkedHashMap<>();
    List<String> changed = new java.util.ArrayList<>();
    Path dir = scratch.resolve(Integer.toHexString(upstream.hashCode()));
    Files.createDirectories(dir);
    for (String suite : suites) {
      Path local = dir.resolve(suite + ".InRelease");
      RsyncRun r =
          rsync.run(
              List.of(
                  "-t",
                  "--checksum",
                  upstream + "dists/" + suite + "/InRelease",
                  local.toString()));
      Optional<SnapshotId> id;
      if (r.ok()) {
        id = Optional.of(SnapshotId.ofInRelease(Files.readAllBytes(local)));
      } else if (r.exitCode() == 23
          && r.tail().stream().anyMatch(l -> l.contains("No such file"))) {
        Files.deleteIfExists(local);
        id = Optional.empty();
      } else {
        throw new IOException(
            "cannot fetch " + upstream + "dists/" + suite + "/InRelease: " + r.describe());
      }
      found.put(suite, id);
      Optional<SnapshotId> mine = Optional.empty();
      if (current.isPresent()) {
        try {
          mine =
              Optional.of(
                  SnapshotId.ofInRelease(
                      Files.readAllBytes(current.get().resolve("dists/" + suite + "/InRelease"))));
        } catch (NoSuchFileException none) {
          // not in the current snapshot
        }
      }
      if (current.isEmpty() || !Objects.equals(id, mine)) {
        changed.add(suite);
      }
    }
    return new UpstreamLook(found, changed);
  }
}
