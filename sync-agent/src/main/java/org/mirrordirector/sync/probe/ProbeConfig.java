package org.mirrordirector.sync.probe;

import java.time.Duration;
import java.util.List;
import org.mirrordirector.sync.archive.PoolPaths;

/**
 * How mirrors are probed.
 *
 * @param suites the suites whose InRelease each mirror is asked for
 * @param timeout connect and whole-request timeout of each request
 * @param parallelism mirrors probed at once
 * @param sampleSize pool files (new in the mirror's snapshot) checked with HEAD per suite
 * @param indexChecks index files (Packages*) checked with HEAD against the InRelease, per suite
 * @param confirmations consecutive probes that must agree before a mirror's health changes
 * @param maxInReleaseBytes the largest InRelease read
 */
public record ProbeConfig(
    List<String> suites,
    Duration timeout,
    int parallelism,
    int sampleSize,
    int indexChecks,
    int confirmations,
    int maxInReleaseBytes) {

  public ProbeConfig {
    if (suites == null || suites.isEmpty()) {
      throw new IllegalArgumentException("at least one suite must be probed");
    }
    for (String s : suites) {
      if (s == null || PoolPaths.problem(s, false) != null || s.contains("/")) {
        throw new IllegalArgumentException("invalid suite '" + s + "'");
      }
    }
    suites = List.copyOf(suites);
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("probe timeout must be positive: " + timeout);
    }
    range("parallelism", parallelism, 1, 1024);
    range("sampleSize", sampleSize, 0, 1000);
    range("indexChecks", indexChecks, 0, 100);
    range("confirmations", confirmations, 1, 100);
    range("maxInReleaseBytes", maxInReleaseBytes, 1024, 256 << 20);
  }

  /** 10 s timeout, 32 mirrors at once, 5 pool files, 3 indexes, 2 agreeing probes, 16 MiB. */
  public static ProbeConfig defaults(List<String> suites) {
    return new ProbeConfig(suites, Duration.ofSeconds(10), 32, 5, 3, 2, 16 << 20);
  }

  public ProbeConfig withTimeout(Duration t) {
    return new ProbeConfig(
        suites, t, parallelism, sampleSize, indexChecks, confirmations, maxInReleaseBytes);
  }

  public ProbeConfig withParallelism(int p) {
    return new ProbeConfig(
        suites, timeout, p, sampleSize, indexChecks, confirmations, maxInReleaseBytes);
  }

  public ProbeConfig withSampleSize(int n) {
    return new ProbeConfig(
        suites, timeout, parallelism, n, indexChecks, confirmations, maxInReleaseBytes);
  }

  public ProbeConfig withConfirmations(int n) {
    return new ProbeConfig(
        suites, timeout, parallelism, sampleSize, indexChecks, n, maxInReleaseBytes);
  }

  private static void range(String name, int v, int min, int max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + " must be " + min + ".." + max + ": " + v);
    }
  }
}
