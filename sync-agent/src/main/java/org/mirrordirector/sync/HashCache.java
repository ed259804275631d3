package org.mirrordirector.sync;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.mirrordirector.sync.archive.FileStat;
import org.mirrordirector.sync.archive.HashMemory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SHA-256 of every pool file the agent has hashed, keyed by the file's identity (device and
 * inode, shared by the hard links of every snapshot), size and modification time; saved beside the
 * snapshots. A file hard-linked from the previous snapshot is recalled, not re-read.
 *
 * <p>Rolling re-hash: every file is read again at most {@code period} after it was last hashed, so
 * bit rot is found within the period. A file hashed for the first time is due again after a share
 * of the period that its identity picks (uniform in (0, 1]), so that an archive fetched in one run
 * is re-read evenly over the period rather than all at once; each re-hash then moves it a whole
 * period on.
 *
 * <p>The file is a cache: when it is missing or unreadable the agent hashes everything again, which
 * is slow but never wrong.
 */
public final class HashCache implements HashMemory {
  private static final Logger LOG = LoggerFactory.getLogger(HashCache.class);
  private static final String MAGIC = "mirrordirector-hash-cache 1";

  /** One hashed file; {@code dueAtMillis} is when it is to be read again. */
  record Entry(String key, long size, long modifiedNanos, String sha256, long dueAtMillis) {}

  private final Path file;
  private final Duration period;
  private final Map<String, Entry> known = new ConcurrentHashMap<>();
  private final Map<String, Entry> seen = new ConcurrentHashMap<>();
  private final Set<String> due = ConcurrentHashMap.newKeySet();
  private Instant runStart = Instant.EPOCH;
  private int skippedLines;

  private HashCache(Path file, Duration period) {
    this.file = file;
    this.period = period;
  }

  /** Loads the cache, or starts empty (with a warning) when the file is missing or unreadable. */
  public static HashCache load(Path file, Duration period) {
    if (period.isNegative()) {
      throw new IllegalArgumentException("re-hash period must not be negative: " + period);
    }
    HashCache c = new HashCache(file, period);
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String head = r.readLine();
      if (head == null || !head.startsWith(MAGIC + " ")) {
        LOG.warn("{} is not a hash cache (first line '{}'); every file will be hashed", file, head);
        return c;
      }
      Long.parseLong(head.substring(MAGIC.length() + 1).trim());
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.split("\t", -1);
        try {
          if (f.length != 5 || !f[3].matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("bad field count or hash");
          }
          Entry e =
              new Entry(
                  f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), f[3], Long.parseLong(f[4]));
          c.known.put(e.key(), e);
        } catch (IllegalArgumentException bad) {
          c.skippedLines++;
        }
      }
      if (c.skippedLines > 0) {
        LOG.warn(
            "{}: skipped {} malformed line(s); those files will be hashed", file, c.skippedLines);
      }
    } catch (NoSuchFileException none) {
      // first run
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot read the hash cache {} ({}); every file will be hashed", file, e.toString());
      c.known.clear();
    }
    return c;
  }

  /** Starts a run: the files whose re-hash is due now will not be recalled. */
  public void beginRun(Instant now) {
    runStart = now;
    seen.clear();
    due.clear();
    long nowMillis = now.toEpochMilli();
    for (Entry e : known.values()) {
      if (period.isZero() || nowMillis >= e.dueAtMillis()) {
        due.add(e.key());
      }
    }
  }

  /** How many remembered files this run re-hashes because they are due. */
  public int dueCount() {
    return due.size();
  }

  public int size() {
    return known.size();
  }

  @Override
  public Optional<String> recall(FileStat stat) {
    String key = key(stat);
    if (key == null) {
      return Optional.empty();
    }
    Entry e = known.get(key);
    if (e == null
        || e.size() != stat.size()
        || e.modifiedNanos() != stat.modifiedNanos()
        || due.contains(key)) {
      return Optional.empty();
    }
    seen.put(key, e);
    return Optional.of(e.sha256());
  }

  @Override
  public void remember(String path, FileStat stat, String sha256) {
    String key = key(stat);
    if (key == null) {
      return;
    }
    long now = runStart.toEpochMilli();
    long next =
        known.containsKey(key)
            ? now + period.toMillis()
            : now + (long) (period.toMillis() * spread(key));
    Entry e = new Entry(key, stat.size(), stat.modifiedNanos(), sha256, next);
    known.put(key, e);
    seen.put(key, e);
  }

  /**
   * Saves what this run recalled or hashed (the files of the snapshot just published; the others
   * are gone or no longer listed), atomically.
   */
  public void save() throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".new");
    List<Entry> all = new ArrayList<>(seen.values());
    all.sort(Comparator.comparing(Entry::key));
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      w.write(MAGIC + " " + runStart.toEpochMilli() + "\n");
      for (Entry e : all) {
        w.write(
            e.key()
                + "\t"
                + e.size()
                + "\t"
                + e.modifiedNanos()
                + "\t"
                + e.sha256()
                + "\t"
                + e.dueAtMillis()
                + "\n");
      }
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    known.keySet().retainAll(new HashSet<>(seen.keySet()));
  }

  /** A share of the period in (0, 1], fixed by the file's identity. */
  static double spread(String key) {
    byte[] d =
        org.mirrordirector.sync.archive.Sha256.newDigest()
            .digest(key.getBytes(StandardCharsets.UTF_8));
    long h = java.nio.ByteBuffer.wrap(d).getLong();
    return ((h >>> 11) + 1) / (double) (1L << 53);
  }

  private static String key(FileStat stat) {
    if (stat.fileKey() == null || stat.modifiedNanos() < 0) {
      return null;
    }
    String k = stat.fileKey().toString();
    return k.indexOf('\t') >= 0 || k.indexOf('\n') >= 0 ? null : k;
  }
}
