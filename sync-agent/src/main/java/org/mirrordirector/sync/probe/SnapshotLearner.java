package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.mirrordirector.sync.archive.ArchiveFormatException;
import org.mirrordirector.sync.archive.HttpArchiveSource;
import org.mirrordirector.sync.archive.Sha256;
import org.mirrordirector.sync.archive.SuiteIndex;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.net.OutboundHttp;

/**
 * Learns a suite snapshot that this node does not have from a mirror that serves it: the mirror's
 * InRelease must be the one named (its SHA-256) and carry a good signature of the archive's keys;
 * then its Packages indexes are read, each checked against the signed Release before a line of it
 * is believed. A validly signed InRelease newer than the node's own is evidence the director can
 * learn from: which pool files the new snapshot lists, so that clients who got it from a mirror
 * ahead of the node are sent where those files are.
 *
 * <p>One fetch per snapshot at a time (callers asking for the same one share it); at most {@code
 * capacity} learned snapshots are kept, the least recently used dropped first; a snapshot that
 * failed to be learned from a mirror is not asked of that mirror again for {@code retryAfter}.
 * Listeners hear of every newly learned snapshot, on the learner's thread.
 */
public final class SnapshotLearner implements AutoCloseable {
  private final TrustedKeys keys;
  private final Duration timeout;
  private final int capacity;
  private final Duration retryAfter;
  private final OutboundHttp http;
  private final ExecutorService fetchers;
  private final Map<String, SuiteIndex> learned = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<String, CompletableFuture<SuiteIndex>> pending = new HashMap<>();
  private final Map<String, Long> failedAt = new HashMap<>();
  private final List<Consumer<SuiteIndex>> listeners = new CopyOnWriteArrayList<>();

  /**
   * @param tls the TLS context for https mirrors, or null for the JVM's default
   */
  public SnapshotLearner(
      TrustedKeys keys, Duration timeout, int capacity, Duration retryAfter, SSLContext tls) {
    this(keys, timeout, capacity, retryAfter, tls, new HappyEyeballs());
  }

  /**
   * @param tls the TLS context for https mirrors, or null for the JVM's default
   * @param eyeballs how connections try a mirror's addresses (the node's NAT64 prefix, its stagger)
   */
  public SnapshotLearner(
      TrustedKeys keys,
      Duration timeout,
      int capacity,
      Duration retryAfter,
      SSLContext tls,
      HappyEyeballs eyeballs) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.keys = keys;
    this.timeout = timeout;
    this.capacity = capacity;
    this.retryAfter = retryAfter;
    // As the prober does, redirects are followed: a mirror may send its files elsewhere; what
    // arrives is checked against the signed InRelease whatever its address.
    this.http =
        new OutboundHttp(
            "snapshot-learner-http", eyeballs, timeout, tls, true, "mirrordirector-prober/1");
    this.fetchers =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "snapshot-learner");
              t.setDaemon(true);
              return t;
            });
  }

  /** Four snapshots, requests timing out after 10 s, a failed one tried again after 5 s. */
  public static SnapshotLearner defaults(TrustedKeys keys) {
    return new SnapshotLearner(keys, Duration.ofSeconds(10), 4, Duration.ofSeconds(5), null);
  }

  /** Hears of every newly learned snapshot. */
  public void addListener(Consumer<SuiteIndex> l) {
    listeners.add(l);
  }

  /** A learned snapshot, if it is still kept. */
  public synchronized Optional<SuiteIndex> known(String sha256) {
    return Optional.ofNullable(learned.get(sha256));
  }

  /** Every snapshot kept, least recently used first. */
  public synchronized List<SuiteIndex> learned() {
    return new ArrayList<>(learned.values());
  }

  /**
   * Learns the snapshot from this mirror, or returns the one already learned; waits for it.
   *
   * @throws IOException naming the mirror and what was wrong (not reachable, moved on to another
   *     InRelease, a bad signature, an index that does not match the InRelease: a sync under way)
   */
  public SuiteIndex learn(URI base, String suite, String sha256) throws IOException {
    CompletableFuture<SuiteIndex> f = start(base, suite, sha256, true);
    try {
      return f.get(timeout.toMillis() * 6, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while learning " + sha256 + " from " + base, e);
    } catch (TimeoutException e) {
      throw new IOException("learning " + short12(sha256) + " from " + base + " took too long");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      throw new IOException("learning " + short12(sha256) + " from " + base + ": " + c, c);
    }
  }

  /**
   * Starts learning in the background unless the snapshot is known, being learned, or failed from
   * this mirror less than {@code retryAfter} ago; returns at once.
   */
  public void learnSoon(URI base, String suite, String sha256) {
    start(base, suite, sha256, false);
  }

  private synchronized CompletableFuture<SuiteIndex> start(
      URI base, String suite, String sha256, boolean evenIfFailedRecently) {
    SuiteIndex k = learned.get(sha256);
    if (k != null) {
      return CompletableFuture.completedFuture(k);
    }
    CompletableFuture<SuiteIndex> p = pending.get(sha256);
    if (p != null) {
      return p;
    }
    String failKey = sha256 + " " + base;
    Long failed = failedAt.get(failKey);
    if (!evenIfFailedRecently
        && failed != null
        && System.nanoTime() - failed < retryAfter.toNanos()) {
      return CompletableFuture.failedFuture(
          new IOException("learning " + short12(sha256) + " from " + base + " failed just now"));
    }
    CompletableFuture<SuiteIndex> f = new CompletableFuture<>();
    pending.put(sha256, f);
    try {
      fetchers.execute(() -> fetch(base, suite, sha256, failKey, f));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      pending.remove(sha256);
      f.completeExceptionally(new IOException("the learner is closed"));
    }
    return f;
  }

  private void fetch(
      URI base, String suite, String sha256, String failKey, CompletableFuture<SuiteIndex> f) {
    SuiteIndex got = null;
    Throwable failure = null;
    try {
      got = read(base, suite, sha256);
    } catch (IOException | RuntimeException e) {
      failure = e;
    }
    synchronized (this) {
      pending.remove(sha256);
      if (got != null) {
        learned.put(sha256, got);
        while (learned.size() > capacity) {
          learned.remove(learned.keySet().iterator().next());
        }
        failedAt.remove(failKey);
      } else {
        failedAt.put(failKey, System.nanoTime());
        if (failedAt.size() > 1000) {
          failedAt.clear(); // a flood of bad snapshots costs retries, never memory
        }
      }
    }
    if (got != null) {
      for (Consumer<SuiteIndex> l : listeners) {
        try {
          l.accept(got);
        } catch (RuntimeException e) {
          // a listener's failure is its own
        }
      }
      f.complete(got);
    } else {
      f.completeExceptionally(failure);
    }
  }

  private SuiteIndex read(URI base, String suite, String sha256) throws IOException {
    HttpArchiveSource src = new HttpArchiveSource(base, http);
    String path = "dists/" + suite + "/InRelease";
    byte[] data =
        src.readSmall(path, 16 << 20)
            .orElseThrow(() -> new IOException(src.describe(path) + " is missing"));
    String got = Sha256.hex(data);
    if (!got.equals(sha256)) {
      throw new IOException(
          src.describe(path)
              + " is now "
              + short12(got)
              + ", not "
              + short12(sha256)
              + ": the mirror moved on");
    }
    try {
      return SuiteIndex.read(src, suite, data, keys, true, new HashMap<>());
    } catch (ArchiveFormatException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static String short12(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) : sha;
  }

  @Override
  public void close() {
    fetchers.shutdownNow();
    http.close();
  }
}
