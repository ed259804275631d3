package org.mirrordirector.ops.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.mirrordirector.sync.archive.ArchiveVerifier;
import org.mirrordirector.sync.archive.LocalArchiveSource;
import org.mirrordirector.sync.archive.PoolCheck;
import org.mirrordirector.sync.archive.Selection;
import org.mirrordirector.sync.archive.Sha1Policy;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.archive.VerificationReport;
import org.mirrordirector.sync.archive.VerifyOptions;

/**
 * Benchmark (not a test): parse and verify the indexes of a suite, in process, several times;
 * prints wall time and peak heap per run. Run by ops/bench/verify-bench.sh, which also makes the
 * suite. Peak heap is the sum of each heap pool's peak since the run started, an upper bound.
 */
public final class IndexVerifyBench {
  private IndexVerifyBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println(
          "usage: IndexVerifyBench ARCHIVE KEYRING [RUNS [SUITE COMPONENTS ARCHITECTURES]]");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    TrustedKeys keys = TrustedKeys.load(Path.of(args[1]), List.of(), Sha1Policy.REJECT);
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 6;
    String suite = args.length > 3 ? args[3] : "bookworm";
    VerifyOptions opts = VerifyOptions.defaults(suite).withPool(PoolCheck.NONE).withThreads(2);
    if (args.length > 5) {
      // A partial mirror: these components and architectures, no translations, no extras.
      opts =
          opts.withSelection(
              Selection.all()
                  .withComponents(List.of(args[4].split(",")))
                  .withArchitectures(List.of(args[5].split(",")))
                  .withLanguages(java.util.Optional.of(List.of()))
                  .withExtras(java.util.Set.of()));
      System.out.println("selection: " + opts.selection().describe());
    }
    List<Double> secs = new ArrayList<>();
    List<Double> heaps = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      System.gc();
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        p.resetPeakUsage();
      }
      long t0 = System.nanoTime();
      VerificationReport r = new ArchiveVerifier(keys).verify(new LocalArchiveSource(root), opts);
      double s = (System.nanoTime() - t0) / 1e9;
      long peak = 0;
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getType() == MemoryType.HEAP) {
          peak += p.getPeakUsage().getUsed();
        }
      }
      if (!r.ok()) {
        throw new IllegalStateException("the benchmark suite does not verify: " + r.problems());
      }
      System.out.printf(
          Locale.ROOT,
          "run %d%s: %.3f s, peak heap %.0f MiB, %d packages, %d index files, %.1f MiB of indexes%n",
          i + 1,
          i == 0 ? " (cold JIT)" : "",
          s,
          peak / 1048576.0,
          r.counts().packages(),
          r.counts().indexFiles(),
          r.counts().indexBytes() / 1048576.0);
      if (i > 0) {
        secs.add(s);
        heaps.add(peak / 1048576.0);
      }
    }
    Collections.sort(secs);
    System.out.printf(
        Locale.ROOT,
        "warm runs: min %.3f s, median %.3f s, max %.3f s; peak heap max %.0f MiB (-Xmx %d MiB)%n",
        secs.get(0),
        secs.get(secs.size() / 2),
        secs.get(secs.size() - 1),
        Collections.max(heaps),
        Runtime.getRuntime().maxMemory() / 1048576);
  }
}
