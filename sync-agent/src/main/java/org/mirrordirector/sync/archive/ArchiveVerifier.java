package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks an archive tree the way a careful client would, and more: the signature, the Release
 * header, every listed index variant, every Packages and Sources stanza, by-hash, and every pool
 * file the indexes promise. Nothing read from the tree is trusted before the check that vouches for
 * it: indexes are parsed only from the signed Release's hashes, pool files judged only from indexes
 * whose hash matched.
 */
public final class ArchiveVerifier {
  private static final int KEPT_BEFORE_SORT = 10_000;
  private static final List<Compression> READ_PREFERENCE =
      List.of(Compression.NONE, Compression.XZ, Compression.GZIP, Compression.BZIP2);

  private final TrustedKeys keys;

  public ArchiveVerifier(TrustedKeys keys) {
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  public VerificationReport verify(ArchiveSource source, VerifyOptions options) {
    Run r = new Run(source, options);
    r.indexPhase();
    return r.poolPhase();
  }

  /**
   * Checks the signature, header and every index now, and the pool later ({@link
   * PendingVerification#finish()}): a sync checks the new indexes while rsync is still copying the
   * pool.
   */
  public PendingVerification verifyIndexes(ArchiveSource source, VerifyOptions options) {
    Run r = new Run(source, options);
    r.indexPhase();
    return new PendingVerification(
        alsoHash -> {
          r.extraHash = alsoHash;
          return r.poolPhase();
        });
  }

  /** A pool file as an index promised it, with the index that did. */
  private record PoolRef(long size, String sha256, String index) {}

  /** One verification: its inputs, what it has found so far, and its workers. */
  private final class Run {
    private final ArchiveSource src;
    private final VerifyOptions opt;
    private final String dists;
    private final List<Problem> problems = new ArrayList<>();
    private final AtomicLong problemCount = new AtomicLong();
    private final Map<String, PoolRef> pool = new ConcurrentHashMap<>();
    private final Set<String> conflicted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger indexFiles = new AtomicInteger();
    private final AtomicLong indexBytes = new AtomicLong();
    private final AtomicLong packages = new AtomicLong();
    private final AtomicLong sources = new AtomicLong();
    private final AtomicLong poolBytes = new AtomicLong();
    private final AtomicLong poolHashed = new AtomicLong();
    private long busyNanos;
    private Set<String> extraHash = Set.of();
    private boolean indexesRead;
    private VerificationReport finished;

    private Optional<SnapshotId> snapshot = Optional.empty();
    private Optional<GoodSignature> signature = Optional.empty();
    private ReleaseFile release;

    Run(ArchiveSource src, VerifyOptions opt) {
      this.src = src;
      this.opt = opt;
      this.dists = "dists/" + opt.suite() + "/";
    }

    void indexPhase() {
      long t0 = System.nanoTime();
      ExecutorService workers = Executors.newFixedThreadPool(opt.threads(), new Workers());
      try {
        SignedRelease signed =
            SignedRelease.read(src, dists, keys, opt.clock().instant(), this::problem);
        snapshot = signed.snapshot();
        signature = signed.signature();
        byte[] releaseText = signed.text();
        if (releaseText != null && parseRelease(releaseText)) {
          checkHeader();
          checkIndexes(workers);
          indexesRead = true;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        problem(Problem.of(ProblemKind.FETCH, src.toString(), "interrupted"));
      } finally {
        workers.shutdownNow();
        busyNanos += System.nanoTime() - t0;
      }
    }

    VerificationReport poolPhase() {
      if (finished != null) {
        return finished;
      }
      long t0 = System.nanoTime();
      if (indexesRead && opt.pool() != PoolCheck.NONE) {
        ExecutorService workers = Executors.newFixedThreadPool(opt.threads(), new Workers());
        try {
          checkPool(workers);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          problem(Problem.of(ProblemKind.FETCH, src.toString(), "interrupted"));
        } finally {
          workers.shutdownNow();
        }
      }
      busyNanos += System.nanoTime() - t0;
      finished = report();
      return finished;
    }

    // --- Release header ---------------------------------------------------------------------

    private boolean parseRelease(byte[] text) {
      try {
        release = ReleaseParser.parse(text, dists + "InRelease");
        return true;
      } catch (IOException e) {
        problem(Problem.of(ProblemKind.RELEASE, dists + "InRelease", e.getMessage()));
        return false;
      }
    }

    /** Header problems are reported, but the indexes are still checked: both are worth knowing. */
    private void checkHeader() {
      ReleaseHeaderCheck.problems(release, opt, dists + "InRelease").forEach(this::problem);
    }

    // --- indexes ----------------------------------------------------------------------------

    private void checkIndexes(ExecutorService workers) throws InterruptedException {
      Selection sel = opt.selection();
      Map<String, Map<Compression, IndexEntry>> groups = new LinkedHashMap<>();
      for (IndexEntry e : release.sha256().values()) {
        if (sel.selects(e.path(), release)) {
          groups
              .computeIfAbsent(Compression.base(e.path()), k -> new EnumMap<>(Compression.class))
              .put(Compression.of(e.path()), e);
        }
      }
      for (String c : sel.components(release)) {
        for (String a : sel.architectures(release)) {
          if (a.equals("source")) {
            continue;
          }
          String base = c + "/binary-" + a + "/Packages";
          if (!groups.containsKey(base)) {
            problem(
                Problem.of(
                    ProblemKind.INDEX,
                    dists + base,
                    "the Release lists no Packages index for " + c + "/" + a));
          }
        }
      }
      List<Future<?>> tasks = new ArrayList<>();
      for (Map.Entry<String, Map<Compression, IndexEntry>> g : groups.entrySet()) {
        tasks.add(workers.submit(() -> checkGroup(g.getKey(), g.getValue())));
      }
      await(tasks);
    }

    private void checkGroup(String base, Map<Compression, IndexEntry> variants) {
      Map<Compression, FileStat> present = new EnumMap<>(Compression.class);
      for (Map.Entry<Compression, IndexEntry> v : variants.entrySet()) {
        String path = dists + v.getValue().path();
        try {
          Optional<FileStat> st = src.stat(path);
          if (st.isEmpty()) {
            continue;
          }
          if (!st.get().regular()) {
            problem(Problem.of(ProblemKind.INDEX, path, "is not a regular file"));
            return;
          }
          long size = st.get().size();
          if (size >= 0 && size != v.getValue().size()) {
            problem(
                new Problem(
                    ProblemKind.INDEX,
                    path,
                    "size differs from the Release",
                    Long.toString(v.getValue().size()),
                    Long.toString(size)));
            return;
          }
          present.put(v.getKey(), st.get());
        } catch (IOException e) {
          problem(Problem.of(ProblemKind.FETCH, path, String.valueOf(e.getMessage())));
          return;
        }
      }
      if (present.isEmpty() && opt.selection().optional(base, release)) {
        return;
      }
      if (present.isEmpty()) {
        problem(
            new Problem(
                ProblemKind.INDEX,
                dists + base,
                "no listed variant of this index is present",
                variantNames(variants),
                "none"));
        return;
      }
      String name = base.substring(base.lastIndexOf('/') + 1);
      boolean parse = name.equals("Packages") || name.equals("Sources");
      IndexEntry plain = variants.get(Compression.NONE);
      boolean needContent = parse || (plain != null && !present.containsKey(Compression.NONE));
      Compression readVia = null;
      if (needContent) {
        readVia = READ_PREFERENCE.stream().filter(present::containsKey).findFirst().orElseThrow();
      }
      List<BinaryPackage> binaries = new ArrayList<>();
      List<SourcePackage> srcs = new ArrayList<>();
      List<StanzaProblem> stanzaProblems = new ArrayList<>();
      boolean allGood = true;
      for (Compression c : present.keySet()) {
        IndexEntry e = variants.get(c);
        String path = dists + e.path();
        CountingSha256Stream content = null;
        try (InputStream raw = src.open(path)) {
          CountingSha256Stream rawCount = new CountingSha256Stream(raw);
          if (c == readVia) {
            long max = plain != null ? plain.size() : Long.MAX_VALUE;
            InputStream decompressed = c.decompress(rawCount, path, max);
            if (c != Compression.NONE) {
              decompressed = new ReadAheadInputStream(decompressed, path);
            }
            content = new CountingSha256Stream(decompressed);
            if (name.equals("Packages")) {
              IndexParsers.packages(content, path, binaries::add, stanzaProblems::add);
            } else if (name.equals("Sources")) {
              IndexParsers.sources(content, path, srcs::add, stanzaProblems::add);
            }
            content.drain();
          }
          rawCount.drain();
          indexFiles.incrementAndGet();
          indexBytes.addAndGet(rawCount.count());
          allGood &= matches(path, e, rawCount);
          if (content != null && c != Compression.NONE && plain != null) {
            allGood &= matches(dists + plain.path() + " (from " + e.path() + ")", plain, content);
          }
          if (release.acquireByHash() && allGood) {
            checkByHash(e, present.get(c));
          }
        } catch (ArchiveFormatException ex) {
          problem(Problem.of(ProblemKind.INDEX, path, stripFile(ex.getMessage(), path)));
          allGood = false;
        } catch (NoSuchFileException ex) {
          problem(Problem.of(ProblemKind.INDEX, path, "vanished while being read"));
          allGood = false;
        } catch (IOException ex) {
          problem(Problem.of(ProblemKind.FETCH, path, String.valueOf(ex.getMessage())));
          allGood = false;
        } finally {
          closeQuietly(content);
        }
      }
      if (!allGood) {
        return; // an index that failed its hash vouches for nothing
      }
      for (StanzaProblem sp : stanzaProblems) {
        problem(Problem.of(ProblemKind.STANZA, sp.file() + ":" + sp.line(), sp.message()));
      }
      String indexName = dists + base;
      for (BinaryPackage b : binaries) {
        addPool(b.filename(), new PoolRef(b.size(), b.sha256(), indexName));
      }
      for (SourcePackage s : srcs) {
        for (PoolFile f : s.files()) {
          addPool(f.path(), new PoolRef(f.size(), f.sha256(), indexName));
        }
      }
      packages.addAndGet(binaries.size());
      sources.addAndGet(srcs.size());
    }

    private boolean matches(String path, IndexEntry e, CountingSha256Stream got) {
      if (got.count() != e.size()) {
        problem(
            new Problem(
                ProblemKind.INDEX,
                path,
                "size differs from the Release",
                Long.toString(e.size()),
                Long.toString(got.count())));
        return false;
      }
      String hex = got.hex();
      if (!hex.equals(e.sha256())) {
        problem(
            new Problem(
                ProblemKind.INDEX, path, "SHA256 differs from the Release", e.sha256(), hex));
        return false;
      }
      return true;
    }

    private void checkByHash(IndexEntry e, FileStat verified) throws IOException {
      Problem p = PoolFileCheck.byHash(src, dists, e, verified);
      if (p != null) {
        problem(p);
      }
    }

    /**
     * Registers a pool file an index promises. The same path promised with two sizes or hashes is
     * reported once, with the two indexes in name order, and left out of the pool check: neither
     * promise can be trusted, and which came first depends on thread timing.
     */
    private void addPool(String path, PoolRef ref) {
      PoolRef had = pool.putIfAbsent(path, ref);
      if (had != null && (had.size() != ref.size() || !had.sha256().equals(ref.sha256()))) {
        if (!conflicted.add(path)) {
          return;
        }
        PoolRef a = had.index().compareTo(ref.index()) <= 0 ? had : ref;
        PoolRef b = a == had ? ref : had;
        problem(
            new Problem(
                ProblemKind.STANZA,
                path,
                "the same Filename is listed with two different sizes or hashes, in "
                    + a.index()
                    + " and "
                    + b.index(),
                a.size() + " " + a.sha256(),
                b.size() + " " + b.sha256()));
      }
    }

    // --- pool -------------------------------------------------------------------------------

    private void checkPool(ExecutorService workers) throws InterruptedException {
      List<Map.Entry<String, PoolRef>> all = new ArrayList<>(pool.entrySet());
      all.removeIf(e -> conflicted.contains(e.getKey()));
      all.sort(Map.Entry.comparingByKey());
      int chunk = Math.max(64, all.size() / (opt.threads() * 8) + 1);
      List<Future<?>> tasks = new ArrayList<>();
      for (int i = 0; i < all.size(); i += chunk) {
        List<Map.Entry<String, PoolRef>> part = all.subList(i, Math.min(all.size(), i + chunk));
        tasks.add(
            workers.submit(
                () -> {
                  byte[] buf = new byte[1 << 18];
                  for (Map.Entry<String, PoolRef> e : part) {
                    checkPoolFile(e.getKey(), e.getValue(), buf);
                  }
                }));
      }
      await(tasks);
    }

    private void checkPoolFile(String path, PoolRef ref, byte[] buf) {
      poolBytes.addAndGet(ref.size());
      PoolFileResult r =
          PoolFileCheck.check(
              src,
              path,
              ref.size(),
              ref.sha256(),
              ref.index(),
              buf,
              st -> mustHash(path, ref, st),
              opt.memory());
      poolHashed.addAndGet(r.hashed());
      if (r.problem() != null) {
        problem(r.problem());
      }
    }

    /**
     * Whether a pool file is hashed: always when asked for (HASH, or received by this sync); with a
     * memory, whenever it cannot vouch for this very file having the promised hash.
     */
    private boolean mustHash(String path, PoolRef ref, FileStat st) {
      if (opt.alsoHash().contains(path) || extraHash.contains(path)) {
        return true;
      }
      if (opt.memory().isPresent()) {
        return !opt.memory().get().recall(st).map(ref.sha256()::equals).orElse(false);
      }
      return opt.pool() == PoolCheck.HASH;
    }

    // --- bookkeeping ------------------------------------------------------------------------

    private void await(List<Future<?>> tasks) throws InterruptedException {
      for (Future<?> f : tasks) {
        try {
          f.get();
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          problem(
              Problem.of(
                  ProblemKind.FETCH, src.toString(), "internal error while verifying: " + c));
        }
      }
    }

    private void problem(Problem p) {
      problemCount.incrementAndGet();
      synchronized (problems) {
        if (problems.size() < KEPT_BEFORE_SORT) {
          problems.add(p);
        }
      }
    }

    private VerificationReport report() {
      List<Problem> sorted;
      synchronized (problems) {
        sorted = new ArrayList<>(problems);
      }
      sorted.sort(
          Comparator.comparing(Problem::kind)
              .thenComparing(Problem::file)
              .thenComparing(Problem::message));
      if (sorted.size() > opt.maxReportedProblems()) {
        sorted = sorted.subList(0, opt.maxReportedProblems());
      }
      return new VerificationReport(
          src.toString(),
          opt.suite(),
          snapshot,
          Optional.ofNullable(release).map(ReleaseFile::codename),
          Optional.ofNullable(release).map(ReleaseFile::date),
          Optional.ofNullable(release).flatMap(ReleaseFile::validUntil),
          signature,
          new VerificationCounts(
              indexFiles.get(),
              indexBytes.get(),
              packages.get(),
              sources.get(),
              pool.size(),
              poolBytes.get(),
              poolHashed.get()),
          sorted,
          problemCount.get(),
          Duration.ofNanos(busyNanos));
    }
  }

  private static String variantNames(Map<Compression, IndexEntry> variants) {
    List<String> names = new ArrayList<>();
    for (IndexEntry e : variants.values()) {
      names.add(e.path());
    }
    return String.join(", ", names);
  }

  private static void closeQuietly(InputStream in) {
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        // the file was read or failed already; nothing more to learn from closing it
      }
    }
  }

  /** Format errors name their file; the problem already does, so drop the repetition. */
  private static String stripFile(String message, String path) {
    if (!message.startsWith(path + ":")) {
      return message;
    }
    String rest = message.substring(path.length() + 1);
    int colon = rest.indexOf(':');
    if (colon > 0 && rest.substring(0, colon).chars().allMatch(Character::isDigit)) {
      return "line " + rest;
    }
    return rest.strip();
  }

  private static final class Workers implements java.util.concurrent.ThreadFactory {
    private static final AtomicInteger POOLS = new AtomicInteger();
    private final int pool = POOLS.incrementAndGet();
    private final AtomicInteger n = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "verify-" + pool + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
