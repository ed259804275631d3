package org.mirrordirector.director;

import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.ContextBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedFileNamingAndTriggeringPolicy;
import ch.qos.logback.core.rolling.TimeBasedRollingPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.FileSize;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log, off by default: one line per request in the NCSA combined format, then the mirror
 * the client was sent to and why (its tier: same ASN, country, continent or elsewhere; or the
 * fallback taken), for example
 *
 * <pre>
 * 2001:db8::7 - - [30/Nov/2026:12:00:00 +0000] "GET /raspbian/dists/bookworm/InRelease HTTP/1.1"
 *   302 - "-" "Debian APT-HTTP/1.3 (2.6.1)" mirror-fr country
 * </pre>
 *
 * (one line). The client is the one the director routed: the {@code X-Forwarded-For} address a
 * trusted proxy passed on. Lines go to standard output or to a file that logback-core rotates daily
 * (UTC) and at a size; {@link RotatedLogs} then gzips the rotated files at low priority and deletes
 * old ones. A request thread only encodes its line into a buffer of its own; a writer thread takes
 * the buffers every 50 ms and hands logback one write, so a slow disk never holds a request thread:
 * when a thread's buffer is full (4 MiB, and 64 MiB for all threads together), lines are dropped
 * and counted ({@code md_access_log_dropped_lines_total}). Text from the client (the request line,
 * Referer, User-Agent) is escaped: a quote, a backslash or a control character cannot forge a line.
 */
public final class AccessLog implements RequestLog, AutoCloseable {
  /** The request attribute the redirector sets while an access log is on: a {@link AccessNote}. */
  static final String NOTE = "md.access";

  private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);

  private static final DateTimeFormatter NCSA =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final TrustedProxies proxies;
  private final ContextBase context = new ContextBase();
  // Each request thread appends its lines to a buffer of its own, as UTF-8 bytes; the writer thread
  // takes every buffer each tick and hands logback one write. Nothing per line is allocated or
  // shared between threads: a queue of lines (even a lock-free one) cost a node, a builder and a
  // copy per line, and a cache miss on the writer's side for each (JFR).
  private final ThreadLocal<LineBuffer> buffers = ThreadLocal.withInitial(this::register);
  private final List<LineBuffer> all = new CopyOnWriteArrayList<>();
  private final AtomicLong budget = new AtomicLong(BUDGET);
  private final OutputStreamAppender<byte[]> out;
  private final RotatedLogs rotated; // null for stdout
  private final Thread writer;
  private volatile boolean closing;
  private final LongAdder dropped = new LongAdder();
  private static final int TICK_MILLIS = 50;
  private static final int WRITE_BYTES = 1 << 20;

  /** What all threads' buffers may hold together (a disk that stalls for seconds at full load). */
  private static final long BUDGET = 64L << 20;

  private volatile Stamp stamp = new Stamp(-1, new byte[0]);

  private record Stamp(long second, byte[] text) {}

  public AccessLog(AccessLogSettings settings, TrustedProxies proxies) {
    this.proxies = proxies;
    context.setName("access-log");
    OutputStreamAppender<byte[]> out;
    if (settings.stdout()) {
      ConsoleAppender<byte[]> console = new ConsoleAppender<>();
      out = console;
      rotated = null;
    } else {
      Path file = Path.of(settings.target()).toAbsolutePath();
      try {
        Files.createDirectories(file.getParent());
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(
            "access log: cannot create " + file.getParent() + ": " + e.getMessage(), e);
      }
      RotatedLogs archive =
          new RotatedLogs(
              file,
              settings.compress(),
              settings.keepDays(),
              java.time.Clock.systemUTC(),
              LOG::warn);
      RollingFileAppender<byte[]> rolling =
          new RollingFileAppender<>() {
            @Override
            public void rollover() {
              super.rollover();
              archive.rotated();
            }
          };
      rolling.setContext(context);
      rolling.setFile(file.toString());
      // Daily (UTC, as the lines' times), and at the size: FILE.2026-11-30.0, FILE.2026-11-30.1,
      // ... (then gzipped by RotatedLogs, which also keeps them keepDays: logback's own gzip and
      // history are not used). The size is looked at every second (logback's default is a
      // minute: a burst could overshoot).
      TimeBasedRollingPolicy<byte[]> policy = new TimeBasedRollingPolicy<>();
      SizeAndTimeBasedFileNamingAndTriggeringPolicy<byte[]> trigger =
          new SizeAndTimeBasedFileNamingAndTriggeringPolicy<>();
      trigger.setContext(context);
      trigger.setMaxFileSize(new FileSize(settings.maxFileBytes()));
      trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildBySeconds(1));
      policy.setTimeBasedFileNamingAndTriggeringPolicy(trigger);
      policy.setContext(context);
      policy.setParent(rolling);
      policy.setFileNamePattern(file + ".%d{yyyy-MM-dd,UTC}.%i");
      policy.start();
      rolling.setRollingPolicy(policy);
      rolling.setTriggeringPolicy(policy);
      out = rolling;
      rotated = archive;
    }
    out.setContext(context);
    out.setName("access");
    out.setEncoder(new LineEncoder());
    out.start();
    requireStarted(out, settings.target());
    this.out = out;
    if (rotated != null) {
      rotated.start(); // compresses what an earlier run left plain, then waits for rotations
    }
    writer = new Thread(this::writeLoop, "access-log");
    writer.setDaemon(true);
    writer.start();
  }

  private LineBuffer register() {
    LineBuffer b = new LineBuffer(Thread.currentThread(), budget);
    all.add(b);
    return b;
  }

  /**
   * Every {@value #TICK_MILLIS} ms, takes what every thread has buffered and appends it, one write
   * per megabyte at most. Lines of one thread keep their order; lines of two threads within one
   * tick may not (as with nginx's buffered log across its workers). The writer never waits on a
   * request thread's behalf, so a request thread never has to wake it.
   */
  private void writeLoop() {
    LineBatch batch = new LineBatch();
    while (true) {
      boolean last = closing;
      for (LineBuffer b : all) {
        boolean gone = !b.owner.isAlive(); // before the take: a dead thread appends no more
        int n;
        synchronized (b) {
          n = b.take();
        }
        if (n > 0) {
          batch.append(b.taken(), n);
          b.shrinkTaken(n);
        }
        if (gone) {
          all.remove(b);
          b.release();
        }
        if (batch.length() >= WRITE_BYTES) {
          flush(batch);
        }
      }
      flush(batch);
      if (last) {
        return;
      }
      try {
        Thread.sleep(TICK_MILLIS);
      } catch (InterruptedException e) {
        closing = true;
      }
    }
  }

  private void flush(LineBatch batch) {
    if (batch.length() == 0) {
      return;
    }
    byte[] bytes = batch.drain();
    try {
      out.doAppend(bytes);
    } catch (RuntimeException e) {
      // logback reports its own write errors in its status; the lines are counted as dropped
      int lines = 0;
      for (byte c : bytes) {
        lines += c == '\n' ? 1 : 0;
      }
      dropped.add(lines);
    }
  }

  private void requireStarted(Appender<byte[]> a, String target) {
    if (!a.isStarted()) {
      StringBuilder why = new StringBuilder();
      for (Status s : context.getStatusManager().getCopyOfStatusList()) {
        if (s.getLevel() >= Status.WARN) {
          why.append(why.length() == 0 ? "" : "; ").append(s.getMessage());
        }
      }
      throw new IllegalArgumentException("access log: cannot write " + target + ": " + why);
    }
  }

  /** Whether rotated files are compressed at nice 19 (false for stdout, or where refused). */
  boolean compressesAtLowPriority() {
    return rotated != null && rotated.niced();
  }

  /** Lines dropped because the writer fell behind (a thread's buffer was full). */
  public long dropped() {
    return dropped.sum();
  }

  private static final byte[] USER_TIME = bytes(" - - [");
  private static final byte[] TIME_REQUEST = bytes("] \"");
  private static final byte[] QUOTE_SPACE_QUOTE = bytes("\" \"");
  private static final byte[] NO_DECISION = bytes("- -");

  private static byte[] bytes(String ascii) {
    return ascii.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void log(Request request, Response response) {
    HttpFields h = request.getHeaders();
    AccessNote note = (AccessNote) request.getAttribute(NOTE);
    String client =
        note != null
            ? note.client()
            : proxies.client(Request.getRemoteAddr(request), TrustedProxies.forwardedFor(h));
    String method = request.getMethod();
    String target = request.getHttpURI().getPathQuery();
    String protocol = request.getConnectionMetaData().getProtocol();
    String referer = h.get(HttpHeader.REFERER);
    String agent = h.get(HttpHeader.USER_AGENT);
    String mirror = note == null || note.mirror() == null ? "-" : note.mirror();
    long bytes = Response.getContentBytesWritten(response);
    byte[] time = time(System.currentTimeMillis());
    int bound =
        64
            + time.length
            + LineBuffer.bound(client)
            + LineBuffer.bound(method)
            + LineBuffer.bound(target)
            + LineBuffer.bound(protocol)
            + LineBuffer.bound(referer)
            + LineBuffer.bound(agent)
            + LineBuffer.bound(mirror)
            + (note == null ? 0 : LineBuffer.bound(note.reason()));
    LineBuffer b = buffers.get();
    synchronized (b) {
      if (!b.reserve(bound)) {
        dropped.increment();
        return;
      }
      b.text(client).ascii(USER_TIME).ascii(time).ascii(TIME_REQUEST);
      b.escaped(method).ch(' ').escaped(target).ch(' ').escaped(protocol).ch('"').ch(' ');
      b.number(response.getStatus()).ch(' ');
      if (bytes > 0) {
        b.number(bytes);
      } else {
        b.ch('-');
      }
      b.ch(' ').ch('"').escaped(referer).ascii(QUOTE_SPACE_QUOTE).escaped(agent).ch('"').ch(' ');
      if (note == null) {
        b.ascii(NO_DECISION);
      } else {
        b.text(mirror).ch(' ').text(note.reason());
      }
      b.ch('\n');
    }
  }

  /** Buffers one line as it is (UTF-8); drops and counts it when this thread's buffer is full. */
  void write(CharSequence line) {
    LineBuffer b = buffers.get();
    synchronized (b) {
      if (!b.reserve(4 * line.length() + 1)) {
        dropped.increment();
        return;
      }
      b.text(line).ch('\n');
    }
  }

  /** The NCSA time of this second, formatted once per second. */
  private byte[] time(long millis) {
    long second = millis / 1000;
    Stamp s = stamp;
    if (s.second() != second) {
      s = new Stamp(second, bytes(NCSA.format(Instant.ofEpochSecond(second))));
      stamp = s;
    }
    return s.text();
  }

  /** Writes what is buffered (for up to 5 s), then closes the file. */
  @Override
  public void close() {
    closing = true;
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.stop();
    if (rotated != null) {
      rotated.close();
    }
    context.stop();
  }

  /** A batch of lines, already UTF-8: written as it is. */
  private static final class LineEncoder extends EncoderBase<byte[]> {
    @Override
    public byte[] headerBytes() {
      return null;
    }

    @Override
    public byte[] encode(byte[] lines) {
      return lines;
    }

    @Override
    public byte[] footerBytes() {
      return null;
    }
  }
}
