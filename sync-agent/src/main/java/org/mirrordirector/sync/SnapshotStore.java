package org.mirrordirector.sync;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Snapshots of an archive on local disk:
 *
 * <pre>
 * ROOT/current -> snapshots/NAME      the published snapshot (a symlink, replaced by rename(2))
 * ROOT/snapshots/NAME/                 complete, verified trees (dists/, pool/, project/trace/)
 * ROOT/snapshots/.partial-NAME/        a sync in progress; never published as it is
 * ROOT/snapshots/.deleting-NAME/       a snapshot beyond the K kept, being deleted
 * </pre>
 *
 * A new snapshot is built beside the old ones (unchanged files are hard links), verified, renamed
 * into place and only then made current, so readers see the old tree or the new one, never a mix.
 */
public final class SnapshotStore {
  private static final DateTimeFormatter NAME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final Path root;

  public SnapshotStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  Path snapshots() {
    return root.resolve("snapshots");
  }

  /** The published snapshot's directory, if there is one. */
  public Optional<Path> current() throws IOException {
    Path link = root.resolve("current");
    if (!Files.isSymbolicLink(link)) {
      return Optional.empty();
    }
    Path target = root.resolve(Files.readSymbolicLink(link)).normalize();
    return Files.isDirectory(target) ? Optional.of(target) : Optional.empty();
  }

  /** A fresh, empty partial directory for the next snapshot, named after {@code now}. */
  Path newPartial(Instant now) throws IOException {
    Files.createDirectories(snapshots());
    String base = NAME.format(now);
    for (int n = 0; ; n++) {
      String name = n == 0 ? base : base + "-" + n;
      if (!Files.exists(snapshots().resolve(name))
          && !Files.exists(snapshots().resolve(".partial-" + name))) {
        Path p = snapshots().resolve(".partial-" + name);
        Files.createDirectory(p);
        return p;
      }
    }
  }

  /** Renames a verified partial tree into place and makes it current, atomically. */
  Path publish(Path partial) throws IOException {
    String name = partial.getFileName().toString().substring(".partial-".length());
    Path done = snapshots().resolve(name);
    Files.move(partial, done, StandardCopyOption.ATOMIC_MOVE);
    Path tmp = root.resolve(".current.tmp");
    Files.deleteIfExists(tmp);
    Files.createSymbolicLink(tmp, root.relativize(done));
    Files.move(
        tmp,
        root.resolve("current"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    return done;
  }

  /** The complete snapshots, oldest first. */
  public List<Path> list() throws IOException {
    if (!Files.isDirectory(snapshots())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(snapshots())) {
      return s.filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(Files::isDirectory)
          .sorted()
          .toList();
    }
  }

  /**
   * Retires all but the newest {@code keep} snapshots (never the current one): each is renamed to
   * {@code .deleting-NAME} at once, so that it stops being a snapshot in one step, and its files
   * are deleted later by {@link #deleteRetired()} (deleting tens of thousands of links takes
   * seconds). Returns the snapshots retired.
   */
  List<Path> prune(int keep) throws IOException {
    Optional<Path> cur = current();
    List<Path> all = new ArrayList<>(list());
    List<Path> removed = new ArrayList<>();
    for (int i = 0; i < all.size() - keep; i++) {
      Path p = all.get(i);
      if (cur.isPresent() && cur.get().equals(p)) {
        continue;
      }
      Files.move(
          p, p.resolveSibling(".deleting-" + p.getFileName()), StandardCopyOption.ATOMIC_MOVE);
      removed.add(p);
    }
    return removed;
  }

  /** Deletes the trees of retired snapshots; returns how many. */
  int deleteRetired() throws IOException {
    return removeDotted(".deleting-").size();
  }

  /**
   * Removes partial trees of syncs that did not finish (a crash, a kill) and retired snapshots
   * whose deletion was interrupted.
   */
  List<Path> removePartials() throws IOException {
    List<Path> removed = removeDotted(".partial-");
    removeDotted(".deleting-");
    return removed;
  }

  private List<Path> removeDotted(String prefix) throws IOException {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(snapshots())) {
      return removed;
    }
    try (Stream<Path> s = Files.list(snapshots())) {
      for (Path p :
          (Iterable<Path>) s.filter(x -> x.getFileName().toString().startsWith(prefix))::iterator) {
        deleteTree(p);
        removed.add(p);
      }
    }
    return removed;
  }

  static void deleteTree(Path dir) throws IOException {
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (NoSuchFileException gone) {
      // already removed
    }
  }
}
