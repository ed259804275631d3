package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One pool file against its index entry (present, a regular file, its size, its SHA-256), and an
 * index's by-hash copy against its Release entry.
 */
final class PoolFileCheck {
  private PoolFileCheck() {}

  /**
   * @param index the index that lists the file, for the messages
   * @param hash whether this file is hashed, given what stat found
   * @param memory remembers the hash of a file that matched
   */
  static PoolFileResult check(
      ArchiveSource src,
      String path,
      long size,
      String sha256,
      String index,
      byte[] buf,
      Predicate<FileStat> hash,
      Optional<HashMemory> memory) {
    try {
      Optional<FileStat> st = src.stat(path);
      if (st.isEmpty()) {
        return new PoolFileResult(
            new Problem(
                ProblemKind.POOL,
                path,
                "missing (listed in " + index + ")",
                size + " bytes",
                "nothing"),
            0);
      }
      if (!st.get().regular()) {
        return new PoolFileResult(Problem.of(ProblemKind.POOL, path, "is not a regular file"), 0);
      }
      if (st.get().size() >= 0 && st.get().size() != size) {
        return new PoolFileResult(
            new Problem(
                ProblemKind.POOL,
                path,
                "size differs from " + index,
                Long.toString(size),
                Long.toString(st.get().size())),
            0);
      }
      if (!hash.test(st.get())) {
        return new PoolFileResult(null, 0);
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
        return new PoolFileResult(
            new Problem(
                ProblemKind.POOL,
                path,
                "size differs from " + index,
                Long.toString(size),
                Long.toString(n)),
            n);
      }
      if (!hex.equals(sha256)) {
        return new PoolFileResult(
            new Problem(ProblemKind.POOL, path, "SHA256 differs from " + index, sha256, hex), n);
      }
      memory.ifPresent(m -> m.remember(path, st.get(), hex));
      return new PoolFileResult(null, n);
    } catch (NoSuchFileException e) {
      return new PoolFileResult(Problem.of(ProblemKind.POOL, path, "vanished while being read"), 0);
    } catch (IOException e) {
      return new PoolFileResult(
          Problem.of(ProblemKind.FETCH, path, String.valueOf(e.getMessage())), 0);
    }
  }

  /**
   * The by-hash copy of an index the Release lists, when it says Acquire-By-Hash: present, its
   * size, and (on disk, unless it is the very file already hashed) its content; null when right.
   *
   * @param dists {@code dists/SUITE/}
   * @param verified the index file whose hash was checked
   */
  static Problem byHash(ArchiveSource src, String dists, IndexEntry e, FileStat verified)
      throws IOException {
    String dir = e.path().contains("/") ? e.path().substring(0, e.path().lastIndexOf('/') + 1) : "";
    String path = dists + dir + "by-hash/SHA256/" + e.sha256();
    Optional<FileStat> st = src.stat(path);
    if (st.isEmpty()) {
      return Problem.of(
          ProblemKind.BY_HASH, path, "missing, but the Release says Acquire-By-Hash: yes");
    }
    if (st.get().size() >= 0 && st.get().size() != e.size()) {
      return new Problem(
          ProblemKind.BY_HASH,
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
      CountingSha256Stream c = new CountingSha256Stream(in);
      c.drain();
      if (!c.hex().equals(e.sha256())) {
        return new Problem(
            ProblemKind.BY_HASH, path, "content does not match its name", e.sha256(), c.hex());
      }
    }
    return null;
  }
}
