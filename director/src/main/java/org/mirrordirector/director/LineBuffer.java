package org.mirrordirector.director;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One thread's access log lines not yet written, as UTF-8 bytes: its owner appends a line at a time
 * (holding the buffer's monitor, which only the writer thread ever contends for, once per tick),
 * and the writer {@linkplain #takeInto takes} what is there. No line is allocated as an object on
 * the way: a request's fields are encoded straight into the bytes, escaped where they come from the
 * client.
 */
final class LineBuffer {
  /**
   * A thread's buffer never grows past this (about 18,000 lines; a request thread at full speed
   * writes a few thousand between two takes); a line that does not fit is dropped and counted.
   */
  static final int CAP = 4 << 20;

  private static final int INITIAL = 16 * 1024;

  final Thread owner;
  // The bytes every thread's buffers may still take, shared: touched only when a buffer grows or
  // shrinks, not per line. A stalled disk makes every busy thread's buffer grow; this bounds them
  // all together.
  private final AtomicLong budget;
  private byte[] buf = new byte[INITIAL];
  private int len;
  private byte[] spare = new byte[INITIAL]; // the writer's between two takes

  LineBuffer(Thread owner, AtomicLong budget) {
    this.owner = owner;
    this.budget = budget;
    budget.addAndGet(-2L * INITIAL);
  }

  /** A buffer of its own budget, for tests. */
  LineBuffer(Thread owner) {
    this(owner, new AtomicLong(Long.MAX_VALUE / 2));
  }

  /**
   * Room for {@code bytes} more; false when that would pass {@link #CAP} (the line is then
   * dropped).
   */
  boolean reserve(int bytes) {
    int need = len + bytes;
    if (need <= buf.length) {
      return true;
    }
    if (need > CAP) {
      return false;
    }
    int size = Math.min(CAP, Math.max(need, buf.length * 2));
    if (budget.addAndGet(buf.length - size) < 0) {
      budget.addAndGet(size - buf.length);
      return false;
    }
    byte[] b = new byte[size];
    System.arraycopy(buf, 0, b, 0, len);
    buf = b;
    return true;
  }

  /**
   * The writer's part, with this buffer's monitor held: swaps in the spare array and returns how
   * many bytes the one taken holds; the writer copies them ({@link #taken}) after letting go of the
   * monitor, before its next take.
   */
  int take() {
    int n = len;
    if (n == 0) {
      return 0;
    }
    byte[] t = buf;
    buf = spare;
    spare = t;
    len = 0;
    return n;
  }

  /** The array the last {@link #take} took (the writer's until its next take). */
  byte[] taken() {
    return spare;
  }

  /**
   * The writer's part, after copying what it took: when the taken array is much larger than what it
   * held ({@code n} bytes), it is replaced by a smaller one, so that a burst's growth does not
   * stay.
   */
  void shrinkTaken(int n) {
    int want = Math.max(INITIAL, 2 * n);
    if (spare.length > 4 * want) {
      budget.addAndGet(spare.length - want);
      spare = new byte[want];
    }
  }

  /** The writer's part, when the owner is gone: its bytes go back to the budget. */
  void release() {
    budget.addAndGet((long) buf.length + spare.length);
    buf = spare = new byte[0];
  }

  LineBuffer ascii(byte[] b) {
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
    return this;
  }

  LineBuffer ch(char c) {
    buf[len++] = (byte) c;
    return this;
  }

  /** A decimal number (no sign for 0 and up). */
  LineBuffer number(long v) {
    if (v < 0) {
      buf[len++] = '-';
      v = -v;
    }
    int start = len;
    do {
      buf[len++] = (byte) ('0' + (v % 10));
      v /= 10;
    } while (v > 0);
    for (int i = start, j = len - 1; i < j; i++, j--) {
      byte t = buf[i];
      buf[i] = buf[j];
      buf[j] = t;
    }
    return this;
  }

  /** The most bytes {@link #text} or {@link #escaped} can write for {@code s}. */
  static int bound(String s) {
    return s == null ? 1 : 4 * s.length() + 1;
  }

  /** Text as UTF-8, unescaped (the director's own: a client address, a mirror's name). */
  LineBuffer text(CharSequence s) {
    return utf8(s, false);
  }

  /**
   * Text from the client as UTF-8: a quote or backslash escaped with a backslash, a control
   * character as {@code \xNN}; "-" when absent or empty.
   */
  LineBuffer escaped(String s) {
    if (s == null || s.isEmpty()) {
      buf[len++] = '-';
      return this;
    }
    return utf8(s, true);
  }

  private LineBuffer utf8(CharSequence s, boolean escape) {
    byte[] b = buf;
    int p = len;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (escape && (c == '"' || c == '\\')) {
          b[p++] = '\\';
          b[p++] = (byte) c;
        } else if (escape && (c < 0x20 || c == 0x7f)) {
          b[p++] = '\\';
          b[p++] = 'x';
          b[p++] = (byte) Character.forDigit(c >> 4, 16);
          b[p++] = (byte) Character.forDigit(c & 15, 16);
        } else {
          b[p++] = (byte) c;
        }
      } else if (c < 0x800) {
        b[p++] = (byte) (0xc0 | c >> 6);
        b[p++] = (byte) (0x80 | c & 0x3f);
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          b[p++] = (byte) (0xf0 | cp >> 18);
          b[p++] = (byte) (0x80 | cp >> 12 & 0x3f);
          b[p++] = (byte) (0x80 | cp >> 6 & 0x3f);
          b[p++] = (byte) (0x80 | cp & 0x3f);
        } else {
          b[p++] = '?'; // half a pair is no character (as String.getBytes(UTF_8) writes it)
        }
      } else {
        b[p++] = (byte) (0xe0 | c >> 12);
        b[p++] = (byte) (0x80 | c >> 6 & 0x3f);
        b[p++] = (byte) (0x80 | c & 0x3f);
      }
    }
    len = p;
    return this;
  }
}
