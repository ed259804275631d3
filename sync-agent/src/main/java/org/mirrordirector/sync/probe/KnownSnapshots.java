package org.mirrordirector.sync.probe;

import java.util.List;
import java.util.Optional;

/**
 * The snapshots the director knows, oldest first, the current one last: what a mirror's InRelease
 * is compared with.
 */
public record KnownSnapshots(List<KnownSnapshot> oldestFirst) {

  public KnownSnapshots {
    oldestFirst = List.copyOf(oldestFirst);
  }

  public Optional<KnownSnapshot> current() {
    return oldestFirst.isEmpty()
        ? Optional.empty()
        : Optional.of(oldestFirst.get(oldestFirst.size() - 1));
  }

  /** The position of the snapshot whose InRelease of {@code suite} has this hash, or -1. */
  public int indexOf(String suite, String sha256) {
    for (int i = oldestFirst.size() - 1; i >= 0; i--) {
      if (sha256.equals(oldestFirst.get(i).inRelease().get(suite))) {
        return i;
      }
    }
    return -1;
  }

  public boolean isCurrent(int index) {
    return index >= 0 && index == oldestFirst.size() - 1;
  }
}
