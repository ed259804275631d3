package org.mirrordirector.director;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * What happens to an access log's files once logback has rotated them ({@code access.log} renamed
 * to {@code access.log.2026-11-30.0}, then {@code .1}, ...): each is gzipped into {@code
 * access.log.2026-11-30.K.gz}, and files dated more than {@code keepDays} days before today (UTC)
 * are deleted.
 *
 * <p>Why not logback's own gzip: it compresses at zlib's default level (6), on a thread of normal
 * priority, and has no setting for either. At tens of thousands of requests a second that took more
 * CPU than the requests' own lines (BENCHMARKS.md). Here the fastest level is used (about four
 * times less CPU for a file about a quarter larger), on a thread that lowers its own scheduling
 * priority to nice 19 where the system lets it (Linux: a thread's nice value is its own), so that
 * compression takes the CPU that requests leave idle.
 *
 * <p>Nothing is lost on a crash: the gzip is written to a temporary name, forced to disk, renamed,
 * and only then is the plain file deleted; a restart compresses what a crash left plain and removes
 * half-written temporaries. The gzip's index {@code K} is its own (one above the highest of that
 * day), because logback counts only the plain files it sees: after a restart it starts at {@code
 * .0} again, and a gzip named after logback's index would be overwritten.
 */
final class RotatedLogs implements AutoCloseable {
  private static final long PASS_EVERY_MILLIS = TimeUnit.HOURS.toMillis(1);

  private final Path active;
  private final boolean compress;
  private final int keepDays;
  private final Clock clock;
  private final Consumer<String> warn;
  private final Pattern names;
  private final Semaphore wake = new Semaphore(0);
  private final Thread thread;
  private volatile boolean closing;
  private volatile boolean niced;
  private final java.util.function.BooleanSupplier lowerPriority;

  /**
   * @param active the file logback writes ({@code access.log})
   * @param warn where problems are reported (a file that could not be compressed or deleted)
   */
  RotatedLogs(Path active, boolean compress, int keepDays, Clock clock, Consumer<String> warn) {
    this(active, compress, keepDays, clock, warn, RotatedLogs::lowerOwnPriority);
  }

  /**
   * @param lowerPriority lowers the calling thread's priority; false where it cannot
   */
  RotatedLogs(
      Path active,
      boolean compress,
      int keepDays,
      Clock clock,
      Consumer<String> warn,
      java.util.function.BooleanSupplier lowerPriority) {
    this.lowerPriority = lowerPriority;
    this.active = active;
    this.compress = compress;
    this.keepDays = keepDays;
    this.clock = clock;
    this.warn = warn;
    this.names =
        Pattern.compile(
            Pattern.quote(active.getFileName().toString())
                + "\\.(\\d{4}-\\d\\d-\\d\\d)\\.(\\d+)(\\.gz)?(\\.tmp)?");
    thread = new Thread(this::run, "access-log-archive");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Logback has just rotated a file: look now rather than at the next hourly pass. */
  void rotated() {
    wake.release();
  }

  /** Whether the thread runs at nice 19 (false before it started, or where the system refused). */
  boolean niced() {
    return niced;
  }

  private void run() {
    if (compress) {
      niced = lowerPriority.getAsBoolean();
      if (!niced) {
        warn.accept(
            "access log: cannot lower the compressing thread's priority (renice -n 19); rotated"
                + " files are gzipped at normal priority");
      }
    }
    while (true) {
      boolean last = closing;
      try {
        pass();
      } catch (IOException | RuntimeException e) {
        warn.accept("access log: " + e.getMessage());
      }
      if (last) {
        return;
      }
      try {
        if (wake.tryAcquire(PASS_EVERY_MILLIS, TimeUnit.MILLISECONDS)) {
          wake.drainPermits();
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One rotated file: its day, logback's or the gzip's index, and what it is. */
  private record Rotated(Path path, LocalDate day, long index, boolean gz, boolean tmp) {}

  /** Compresses what is plain (oldest first), then deletes what is too old. */
  void pass() throws IOException {
    List<Rotated> files = list();
    for (Rotated f : files) {
      if (f.tmp()) {
        Files.deleteIfExists(f.path()); // a compression a crash interrupted: the plain file stays
      }
    }
    LocalDate oldest = LocalDate.now(clock.withZone(ZoneOffset.UTC)).minusDays(keepDays);
    if (compress) {
      Map<LocalDate, Long> nextGz = new HashMap<>();
      for (Rotated f : files) {
        if (f.gz() && !f.tmp()) {
          nextGz.merge(f.day(), f.index() + 1, Math::max);
        }
      }
      for (Rotated f : files) {
        if (!f.gz() && !f.tmp() && !f.day().isBefore(oldest)) {
          try {
            gzip(f, nextGz);
          } catch (IOException e) {
            warn.accept("access log: cannot gzip " + f.path() + ": " + e);
          }
        }
      }
      files = list();
    }
    for (Rotated f : files) {
      if (f.day().isBefore(oldest)) {
        try {
          Files.deleteIfExists(f.path());
        } catch (IOException e) {
          warn.accept("access log: cannot delete " + f.path() + ": " + e);
        }
      }
    }
  }

  private List<Rotated> list() throws IOException {
    List<Rotated> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(active.toAbsolutePath().getParent())) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Matcher m = names.matcher(p.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        try {
          out.add(
              new Rotated(
                  p,
                  LocalDate.parse(m.group(1)),
                  Long.parseLong(m.group(2)),
                  m.group(3) != null,
                  m.group(4) != null));
        } catch (DateTimeParseException | NumberFormatException notOurs) {
          // access.log.2026-13-99.0: someone else's file; left alone
        }
      }
    }
    out.sort(Comparator.comparing(Rotated::day).thenComparingLong(Rotated::index));
    return out;
  }

  /** Gzips one plain file under the day's next gzip index (one above the highest there is). */
  private void gzip(Rotated plain, Map<LocalDate, Long> nextGz) throws IOException {
    long next = nextGz.getOrDefault(plain.day(), 0L);
    String stem = active.getFileName() + "." + plain.day() + ".";
    Path gz = plain.path().resolveSibling(stem + next + ".gz");
    while (Files.exists(gz)) {
      gz = plain.path().resolveSibling(stem + ++next + ".gz");
    }
    Path tmp = gz.resolveSibling(gz.getFileName() + ".tmp");
    try (InputStream in = Files.newInputStream(plain.path());
        FileChannel ch =
            FileChannel.open(
                tmp,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
      OutputStream raw = Channels.newOutputStream(ch);
      try (GZIPOutputStream out = new FastGzip(raw)) {
        in.transferTo(out);
        out.finish();
        ch.force(true);
      }
    } catch (NoSuchFileException gone) {
      Files.deleteIfExists(tmp); // deleted meanwhile (by an operator): nothing to keep
      return;
    }
    Files.move(tmp, gz, StandardCopyOption.ATOMIC_MOVE);
    Files.delete(plain.path());
    nextGz.put(plain.day(), next + 1);
  }

  /** gzip at zlib's fastest level. */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(OutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }

  /**
   * Sets this thread's nice value to 19 (Linux keeps one per thread; {@code /proc/thread-self}
   * names it), with util-linux's {@code renice}. False where there is no such thing.
   */
  static boolean lowerOwnPriority() {
    Path self = Path.of("/proc/thread-self");
    if (!Files.isSymbolicLink(self)) {
      return false;
    }
    try {
      String tid = Files.readSymbolicLink(self).getFileName().toString();
      Process p =
          new ProcessBuilder("renice", "-n", "19", "-p", tid)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0 && niceOf(tid) == 19;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A thread's nice value, read back from {@code /proc/self/task/TID/stat} (field 19). */
  static int niceOf(String tid) throws IOException {
    String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
    // pid (comm) state ...: comm may hold spaces and parentheses; the fields follow the last ')'
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Integer.parseInt(f[16]); // field 19 overall; f[0] is field 3
  }

  /**
   * Compresses what is rotated and stops (waiting up to 30 s; what is left then is compressed at
   * the next start).
   */
  @Override
  public void close() {
    closing = true;
    wake.release(); // not an interrupt: that would close the file being written
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
