package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The pool files a Packages index lists, read fast: each stanza's {@code Filename} and {@code Size}
 * and nothing else, straight from the bytes (field names case-insensitive, values trimmed, CRLF or
 * LF). For trees already verified against their signed InRelease, where only the file list is
 * wanted: the director's file knowledge of three 60,000-package snapshots is read at every start
 * and after every publication.
 *
 * <p>What {@link IndexParsers#packages} checks and this does not: the Package, Version,
 * Architecture and SHA256 fields of each stanza. What both do: a stanza without a Filename, with an
 * unsafe one ({@link PoolPaths#problem}) or without a valid Size lists nothing; a field twice in a
 * stanza, or a line that is neither a field, a continuation nor blank, ends the read with an {@link
 * ArchiveFormatException} naming the line.
 */
public final class PoolListing {
  /** One pool file: its path under the archive root and its size. */
  public interface Sink {
    void file(String path, long size);
  }

  private static final int MAX_LINE = 1 << 20;
  private static final byte[] FILENAME = "filename".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SIZE = "size".getBytes(StandardCharsets.US_ASCII);

  private PoolListing() {}

  /**
   * Reads a decompressed Packages stream.
   *
   * @return the number of stanzas read
   */
  public static long packages(InputStream in, String source, Sink out) throws IOException {
    return new Scan(in, source, out).run();
  }

  private static final class Scan {
    private final InputStream in;
    private final String source;
    private final Sink out;
    private byte[] buf = new byte[1 << 20];
    private int pos;
    private int end;
    private long lineNo;
    private long stanzas;
    // The stanza being read.
    private boolean inStanza;
    private String filename;
    private long size = -1;
    private boolean sizeSeen;
    private boolean bad; // a Filename or Size continued on a second line, or a Size not a number
    private int last; // 0: another field, 1: Filename, 2: Size

    Scan(InputStream in, String source, Sink out) {
      this.in = in;
      this.source = source;
      this.out = out;
    }

    long run() throws IOException {
      while (true) {
        int nl = nextNewline();
        if (nl < 0) {
          if (pos < end) { // a last line without its newline
            line(pos, end);
            pos = end;
          }
          endStanza();
          return stanzas;
        }
        line(pos, nl);
        pos = nl + 1;
      }
    }

    /** The index of the next '\n' at or after pos, reading more as needed; -1 at the end. */
    private int nextNewline() throws IOException {
      int from = pos;
      while (true) {
        for (int i = from; i < end; i++) {
          if (buf[i] == '\n') {
            return i;
          }
        }
        from = end;
        if (end - pos >= MAX_LINE) {
          throw new ArchiveFormatException(
              source, lineNo + 1, "line is longer than " + MAX_LINE + " bytes; no real index has");
        }
        if (pos > 0) { // keep the partial line, drop what was read
          System.arraycopy(buf, pos, buf, 0, end - pos);
          from -= pos;
          end -= pos;
          pos = 0;
        }
        if (end == buf.length) {
          buf = java.util.Arrays.copyOf(buf, buf.length * 2);
        }
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
          return -1;
        }
        end += n;
      }
    }

    private void line(int s, int e) throws ArchiveFormatException {
      lineNo++;
      if (e > s && buf[e - 1] == '\r') {
        e--;
      }
      int t = s;
      while (t < e && (buf[t] == ' ' || buf[t] == '\t')) {
        t++;
      }
      if (t == e) {
        endStanza(); // blank: the stanza ends
        return;
      }
      if (t > s) { // a continuation line
        if (!inStanza) {
          throw new ArchiveFormatException(
              source, lineNo, "continuation line before any field in the stanza");
        }
        if (last != 0) {
          bad = true; // a Filename or Size on two lines is no file name or size
        }
        return;
      }
      if (!inStanza) {
        inStanza = true;
        stanzas++;
      }
      int colon = -1;
      for (int i = s; i < e; i++) {
        if (buf[i] == ':') {
          colon = i;
          break;
        }
      }
      if (colon <= s) {
        throw new ArchiveFormatException(
            source,
            lineNo,
            "expected 'Field: value' but found '"
                + new String(buf, s, Math.min(e - s, 80), StandardCharsets.UTF_8)
                + "'");
      }
      last = 0;
      if (named(s, colon, FILENAME)) {
        if (filename != null) {
          throw new ArchiveFormatException(source, lineNo, "field Filename appears twice");
        }
        filename = value(colon + 1, e);
        last = 1;
      } else if (named(s, colon, SIZE)) {
        if (sizeSeen) {
          throw new ArchiveFormatException(source, lineNo, "field Size appears twice");
        }
        sizeSeen = true;
        size = number(colon + 1, e);
        last = 2;
      }
    }

    private boolean named(int s, int colon, byte[] lower) {
      if (colon - s != lower.length) {
        return false;
      }
      for (int i = 0; i < lower.length; i++) {
        if ((buf[s + i] | 0x20) != lower[i]) {
          return false;
        }
      }
      return true;
    }

    private String value(int s, int e) {
      while (s < e && (buf[s] == ' ' || buf[s] == '\t')) {
        s++;
      }
      while (e > s && (buf[e - 1] == ' ' || buf[e - 1] == '\t')) {
        e--;
      }
      return new String(buf, s, e - s, StandardCharsets.UTF_8);
    }

    /** A decimal number of up to 18 digits, or -1. */
    private long number(int s, int e) {
      while (s < e && (buf[s] == ' ' || buf[s] == '\t')) {
        s++;
      }
      while (e > s && (buf[e - 1] == ' ' || buf[e - 1] == '\t')) {
        e--;
      }
      if (e == s || e - s > 18) {
        return -1;
      }
      long v = 0;
      for (int i = s; i < e; i++) {
        int d = buf[i] - '0';
        if (d < 0 || d > 9) {
          return -1;
        }
        v = v * 10 + d;
      }
      return v;
    }

    private void endStanza() {
      if (inStanza
          && !bad
          && filename != null
          && size >= 0
          && PoolPaths.problem(filename, true) == null) {
        out.file(filename, size);
      }
      inStanza = false;
      filename = null;
      size = -1;
      sizeSeen = false;
      bad = false;
      last = 0;
    }
  }
}
