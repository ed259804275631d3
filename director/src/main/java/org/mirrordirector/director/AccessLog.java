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
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
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
 * old ones. A request thread only builds its line and queues it; a writer thread hands the queue to
 * logback in batches, so a slow disk never holds a request thread: when the queue is full, lines
 * are dropped and counted ({@code md_access_log_dropped_lines_total}). Text from the client (the
 * request line, Referer, User-Agent) is escaped: a quote, a backslash or a control character cannot
 * forge a line.
 */
public final class AccessLog implements RequestLog, AutoCloseable {
  /** The request attribute the redirector sets while an access log is on: a {@link Note}. */
  static final String NOTE = "md.access";

  /** What the redirector decided for a request: the client it routed, the mirror and why. */
  record Note(String client, String mirror, String reason) {}

  /**
   * Where and how much: {@code target} is "stdout" or a file; {@code keepDays}: rotated files dated
   * more than this many days before today are deleted; {@code compress}: gzip the rotated files (at
   * zlib's fastest level, at nice 19: see {@link RotatedLogs}).
   */
  public record Settings(String target, long maxFileBytes, int keepDays, boolean compress) {
    /** Rotated files gzipped. */
    public Settings(String target, long maxFileBytes, int keepDays) {
      this(target, maxFileBytes, keepDays, true);
    }

    public Settings {
      if (target == null || target.isBlank()) {
        throw new IllegalArgumentException("access log: no target (stdout or a file)");
      }
      if (maxFileBytes < 1024 * 1024) {
        throw new IllegalArgumentException(
            "access log: files of at least 1 MiB, not " + maxFileBytes + " bytes");
      }
      if (keepDays < 1) {
        throw new IllegalArgumentException("access log: keep at least 1 day, not " + keepDays);
      }
    }

    public boolean stdout() {
      return target.equals("stdout");
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);

  private static final DateTimeFormatter NCSA =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final TrustedProxies proxies;
  private final ContextBase context = new ContextBase();
  // Lines wait here for the writer thread, which hands them to logback in batches: one write (and
  // flush) per batch, however many requests a busy second brings.
  // Lock-free on both sides (a CAS each), bounded by a counter: a lock here was contended by the
  // request threads and the writer's drain (JFR: 10 % of the samples went to the lock).
  private final ConcurrentLinkedQueue<CharSequence> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final OutputStreamAppender<byte[]> out;
  private final RotatedLogs rotated; // null for stdout
  private final Thread writer;
  private volatile boolean closing;
  private final LongAdder dropped = new LongAdder();
  private static final int QUEUE = 65_536;
  private static final int BATCH = 4_096;
  private static final int TICK_MILLIS = 50;
  private volatile Stamp stamp = new Stamp(-1, "");

  private record Stamp(long second, String text) {}

  public AccessLog(Settings settings, TrustedProxies proxies) {
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
      rolling.setFile(file.toString());
      // Daily (UTC, as the lines' times), and at the size: FILE.2026-11-30.0, FILE.2026-11-30.1,
      // ... (then gzipped by RotatedLogs, which also keeps them keepDays: logback's own gzip and
      // history are not used). The size is looked at every second (logback's default is a
      // minute: a burst could overshoot).
      TimeBasedRollingPolicy<byte[]> policy = new TimeBasedRollingPolicy<>();
      SizeAndTimeBasedFileNamingAndTriggeringPolicy<byte[]> trigger =
          new SizeAndTimeBasedFileNamingAndTriggeringPolicy<>();
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

  /**
   * Every {@value #TICK_MILLIS} ms, takes what is queued and appends it as one event (lines
   * joined). The writer never waits on the queue itself, so a request thread that queues a line
   * never has to wake it (a futex call per request, which cost more than the line).
   */
  private void writeLoop() {
    StringBuilder text = new StringBuilder(BATCH * 256);
    while (true) {
      boolean last = closing;
      while (true) {
        text.setLength(0);
        int n = 0;
        CharSequence l;
        while (n < BATCH && (l = queue.poll()) != null) {
          text.append(l).append('\n');
          n++;
        }
        if (n == 0) {
          break;
        }
        queued.addAndGet(-n);
        try {
          // A Latin-1 builder's text to UTF-8: two intrinsic copies, faster than a char loop.
          out.doAppend(text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
          dropped.increment(); // logback reports its own write errors in its status
        }
      }
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

  /** Lines dropped because the writer fell behind (its queue was full). */
  public long dropped() {
    return dropped.sum();
  }

  @Override
  public void log(Request request, Response response) {
    write(line(request, response, System.currentTimeMillis()));
  }

  /** Queues one line for the writer; drops and counts it when the queue is full. */
  void write(CharSequence line) {
    if (queued.incrementAndGet() > QUEUE) {
      queued.decrementAndGet();
      dropped.increment();
      return;
    }
    queue.offer(line);
  }

  StringBuilder line(Request request, Response response, long now) {
    HttpFields h = request.getHeaders();
    Note note = (Note) request.getAttribute(NOTE);
    String client =
        note != null
            ? note.client()
            : proxies.client(Request.getRemoteAddr(request), h.get("X-Forwarded-For"));
    StringBuilder b = new StringBuilder(384); // a by-hash line is over 256
    b.append(client).append(" - - [").append(time(now)).append("] \"");
    escape(b, request.getMethod());
    b.append(' ');
    escape(b, request.getHttpURI().getPathQuery());
    b.append(' ');
    escape(b, request.getConnectionMetaData().getProtocol());
    b.append("\" ").append(response.getStatus()).append(' ');
    long bytes = Response.getContentBytesWritten(response);
    if (bytes > 0) {
      b.append(bytes);
    } else {
      b.append('-');
    }
    b.append(" \"");
    escape(b, h.get(HttpHeader.REFERER));
    b.append("\" \"");
    escape(b, h.get(HttpHeader.USER_AGENT));
    b.append("\" ");
    if (note == null) {
      b.append("- -");
    } else {
      b.append(note.mirror() == null ? "-" : note.mirror()).append(' ').append(note.reason());
    }
    return b; // queued as it is: the writer encodes it, no copy is made here
  }

  /** The NCSA time of this second, formatted once per second. */
  private String time(long millis) {
    long second = millis / 1000;
    Stamp s = stamp;
    if (s.second() != second) {
      s = new Stamp(second, NCSA.format(Instant.ofEpochSecond(second)));
      stamp = s;
    }
    return s.text();
  }

  /** A client's text, quotes, backslashes and control characters escaped; "-" when absent. */
  static void escape(StringBuilder b, String s) {
    if (s == null || s.isEmpty()) {
      b.append('-');
      return;
    }
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) {
        break;
      }
      i++;
    }
    b.append(s, 0, i); // the usual case: nothing to escape
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        b.append("\\x")
            .append(Character.forDigit(c >> 4, 16))
            .append(Character.forDigit(c & 15, 16));
      } else {
        b.append(c);
      }
    }
  }

  /** Writes what is queued (for up to 5 s), then closes the file. */
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
