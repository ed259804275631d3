package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import java.util.function.Predicate;
import org.mirrordirector.sync.archive.Problem.Kind;

/**
 * One pool file against its index entry (present, a regular file, its size, its SHA-256), and an
 * index's by-hash copy against its Release entry.
 */
final class PoolFileCheck {
  private PoolFileCheck() {}

  /** What the check found (null: nothing wrong) and how many bytes it hashed. */
  record Result(Problem problem, long hashed) {}

  /**
   * @param index the index that lists the file, for the messages
   * @param hash whether this file is hashed, given what stat found
   * @param memory remembers the hash of a file that matched
   */
  static Result check(
      ArchiveSource src,
      String path,
      long size,
      String sha256,
      String index,
      byte[] buf,
      Predicate<ArchiveSource.Stat> hash,
      Optional<HashMemory> memory) {
    try {
      Optional<ArchiveSource.Stat> st = src.stat(path);
      if (st.isEmpty()) {
        return new Result(
            new Problem(
                Kind.POOL, path, "missing (listed in " + index + ")", size + " bytes", "nothing"),
            0);
      }
      if (!st.get().regular()) {
        return new Result(Problem.of(Kind.POOL, path, "is not a regular file"), 0);
      }
      if (st.get().size() >= 0 && st.get().size() != size) {
        return new Result(
            new Problem(
                Kind.POOL,
                path,
                "size differs from " + index,
                Long.toString(size),
                Long.toString(st.get().size())),
            0);
      }
      if (!hash.test(st.get())) {
        return new Result(null, 0);
      }
      java.security.MessageDigest d = Sha256.newDigest();
      long n = 0;
      try (InputStream in = src.open(path)) {
        int r;
        while ((r = in.read(buf)) > 0) {
          d.update(buf, 0, r);
          n += r;
        }
      }
      String hex = Sha256.hex(d);
      if (n != size) {
        return new Result(
            new Problem(
                Kind.POOL,
                path,
                "size differs from " + index,
                Long.toString(size),
                Long.toString(n)),
            n);
      }
      if (!hex.equals(sha256)) {
        return new Result(
            new Problem(Kind.POOL, path, "SHA256 differs from " + index, sha256, hex), n);
      }
      memory.ifPresent(m -> m.remember(path, st.get(), hex));
      return new Result(null, n);
    } catch (NoSuchFileException e) {
      return new Result(Problem.of(Kind.POOL, path, "vanished while being read"), 0);
    } catch (IOException e) {
      return new Result(Problem.of(Kind.FETCH, path, String.valueOf(e.getMessage())), 0);
    }
  }

  /**
   * The by-hash copy of an index the Release lists, when it says Acquire-By-Hash: present, its
   * size, and (on disk, unless it is the very file already hashed) its content; null when right.
   *
   * @param dists {@code dists/SUITE/}
   * @param verified the index file whose hash was checked
   */
  static Problem byHash(ArchiveSource src, String dists, IndexEntry e, ArchiveSource.Stat verified)
      throws IOException {
    String dir = e.path().contains("/") ? e.path().substring(0, e.path().lastIndexOf('/') + 1) : "";
    String path = dists + dir + "by-hash/SHA256/" + e.sha256();
    Optional<ArchiveSource.Stat> st = src.stat(path);
    if (st.isEmpty()) {
      return Problem.of(Kind.BY_HASH, path, "missing, but the Release says Acquire-By-Hash: yes");
    }
    if (st.get().size() >= 0 && st.get().size() != e.size()) {
      return new Problem(
          Kind.BY_HASH,
          path,
          "size differs from " + e.path(),
          Long.toString(e.size()),
          Long.toString(st.get().size()));
    }
    if (!src.isLocal()
        || (verified.fileKey() != null && verified.fileKey().equals(st.get().fileKey()))) {
      return null; // the same file, already hashed; or a remote mirror, where size is the check
    }
    try (InputStream in = src.open(path)) {
      Sha256.CountingStream c = new Sha256.CountingStream(in);
      c.drain();
      if (!c.hex().equals(e.sha256())) {
        return new Problem(
            Kind.BY_HASH, path, "content does not match its name", e.sha256(), c.hex());
      }
    }
    return null;
  }
}
