package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one suite's InRelease promises, read from its indexes: every pool file its Packages and
 * Sources list, with its size, and the SHA-256 of every index its Release lists (the by-hash
 * names). Read from this node's verified tree, or from a mirror over HTTP to learn a snapshot the
 * node does not have yet; then every index read is checked against the size and SHA-256 of the
 * signed Release first.
 *
 * @param inRelease the SHA-256 of the InRelease: the snapshot's name
 * @param pool pool path to size
 * @param byHash the SHA-256 of every listed index
 * @param packagesIndexes the Packages variant read per index, path under dists/SUITE/ to size
 */
public record SuiteIndex(
    String suite,
    String inRelease,
    Instant date,
    Optional<Instant> validUntil,
    Map<String, Long> pool,
    Set<String> byHash,
    Map<String, Long> packagesIndexes) {

  /** The largest index variant read (Raspbian's biggest Packages is 70 MB uncompressed). */
  private static final long MAX_INDEX_BYTES = 1L << 30;

  /** Plain first on a local disk (no decompression); smallest first over the network. */
  private static final List<Compression> LOCAL_ORDER =
      List.of(Compression.NONE, Compression.GZIP, Compression.XZ, Compression.BZIP2);

  private static final List<Compression> REMOTE_ORDER =
      List.of(Compression.XZ, Compression.GZIP, Compression.BZIP2, Compression.NONE);

  public SuiteIndex {
    pool = Map.copyOf(pool);
    byHash = Set.copyOf(byHash);
    packagesIndexes = Map.copyOf(packagesIndexes);
  }

  /**
   * Reads a suite's indexes.
   *
   * @param inReleaseData the InRelease, already read from {@code src}
   * @param keys verifies the InRelease's signature; null when the caller vouches for the tree (a
   *     verified snapshot of this node)
   * @param checkIndexes check every index read against its Release entry before trusting a line
   * @param interned pool paths already held, shared instead of copied; new ones are added (a
   *     mutable map, may be empty)
   * @throws ArchiveFormatException for a bad signature, a malformed file, or an index that does not
   *     match the Release (a Packages index of which no variant is present is skipped: a partial
   *     mirror does not carry it)
   */
  public static SuiteIndex read(
      ArchiveSource src,
      String suite,
      byte[] inReleaseData,
      TrustedKeys keys,
      boolean checkIndexes,
      Map<String, String> interned)
      throws IOException {
    String where = src.describe("dists/" + suite + "/InRelease");
    ClearSignedMessage msg = ClearSignedMessage.parse(inReleaseData, where);
    if (keys != null) {
      try {
        keys.verifyClearSigned(msg, Instant.now());
      } catch (SignatureException e) {
        throw new ArchiveFormatException(where, 0, "does not verify: " + e.getMessage());
      }
    }
    ReleaseFile rf = ReleaseParser.parse(msg.signedText(), where);
    Map<String, Long> pool = new HashMap<>();
    Set<String> hashes = new HashSet<>();
    Map<String, Long> read = new LinkedHashMap<>();
    for (Map.Entry<String, IndexEntry> e : rf.sha256().entrySet()) {
      hashes.add(e.getValue().sha256());
      String name = e.getKey();
      if (name.endsWith("/Packages") || name.endsWith("/Sources")) {
        Map.Entry<String, Long> v =
            readPackages(src, suite, rf, name, checkIndexes, pool, interned);
        if (v != null) {
          read.put(v.getKey(), v.getValue());
        }
      }
    }
    return new SuiteIndex(
        suite,
        SnapshotId.ofInRelease(inReleaseData).sha256(),
        rf.date(),
        rf.validUntil(),
        pool,
        hashes,
        read);
  }

  /**
   * Reads the first present variant of one Packages or Sources index (the pool files of binary and
   * of source packages); its path and size, null if none.
   */
  private static Map.Entry<String, Long> readPackages(
      ArchiveSource src,
      String suite,
      ReleaseFile rf,
      String index,
      boolean check,
      Map<String, Long> pool,
      Map<String, String> interned)
      throws IOException {
    IndexEntry plain = rf.sha256().get(index);
    long bound = plain != null ? plain.size() : MAX_INDEX_BYTES;
    for (Compression c : src.isLocal() ? LOCAL_ORDER : REMOTE_ORDER) {
      String variant = index + c.suffix();
      IndexEntry listed = rf.sha256().get(variant);
      if (check && listed == null) {
        continue; // nothing to check it against
      }
      String path = "dists/" + suite + "/" + variant;
      List<PoolFile> found = new ArrayList<>();
      boolean sources = index.endsWith("/Sources");
      CountingSha256Stream counted;
      try (InputStream raw = src.open(path)) {
        // Hashed only when checked: a verified local tree's indexes are read at every start.
        counted = new CountingSha256Stream(raw, check);
        // Not closed on its own: that would close the counting stream before it is drained.
        try {
          InputStream in = c.decompress(counted, src.describe(path), bound);
          if (sources) {
            IndexParsers.sources(in, src.describe(path), sp -> found.addAll(sp.files()), bad -> {});
          } else if (check) {
            IndexParsers.packages(
                in,
                src.describe(path),
                b -> found.add(new PoolFile(b.filename(), b.size(), null)),
                bad -> {});
          } else {
            // Not checked (a tree verified when it was synced): only the file list is wanted.
            PoolListing.packages(
                in,
                src.describe(path),
                (p, size) -> pool.put(interned.computeIfAbsent(p, k -> k), size));
          }
        } catch (ArchiveFormatException e) {
          if (!check) {
            throw e;
          }
          // Not what the Release promised (a bound passed, a corrupt stream): say so, with why.
          throw new ArchiveFormatException(
              src.describe(path), 0, "does not match its Release entry: " + e.getMessage());
        }
        counted.drain();
      } catch (NoSuchFileException absent) {
        continue;
      }
      if (check && (counted.count() != listed.size() || !counted.hex().equals(listed.sha256()))) {
        throw new ArchiveFormatException(
            src.describe(path),
            0,
            "does not match its Release entry: "
                + counted.count()
                + " bytes, SHA-256 "
                + counted.hex()
                + "; the Release says "
                + listed.size()
                + " bytes, "
                + listed.sha256());
      }
      for (PoolFile p : found) {
        pool.put(interned.computeIfAbsent(p.path(), k -> k), p.size());
      }
      return Map.entry(variant, counted.count());
    }
    // Not carried: a partial mirror (some architectures or components only, as ftpsync's
    // ARCH_INCLUDE makes) lacks it. Its files stay unknown, so nobody is sent to them from here.
    return null;
  }
}
