package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The access log's per-thread byte buffer: its UTF-8 encoder and escaping give exactly the bytes
 * the JDK's encoder gives for the escaped text (every kind of character, surrogate pairs and lone
 * halves included, and 20,000 random strings); numbers; growth up to its cap and no further; a take
 * hands over exactly what was appended.
 */
class LineBufferTest {
  /** The escaping rule, written plainly: the reference the byte encoder must agree with. */
  static String escapedReference(String s) {
    if (s == null || s.isEmpty()) {
      return "-";
    }
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static byte[] escaped(String s) {
    LineBuffer b = new LineBuffer(Thread.currentThread());
    assertThat(b.reserve(LineBuffer.bound(s))).isTrue();
    b.escaped(s);
    return taken(b);
  }

  private static byte[] taken(LineBuffer b) {
    int n = b.take();
    return Arrays.copyOf(b.taken(), n);
  }

  @Test
  void escapedTextIsTheJdksUtf8OfTheEscapedText() {
    List<String> cases =
        List.of(
            "GET",
            "/raspbian/pool/main/h/hello/hello_2.10-3_armhf.deb?x=1",
            "say \"hi\" \\ bye",
            "tab\there, newline\nthere, NUL\u0000, DEL\u007f, ESC\u001b",
            "Zürich Björk",
            "東京 ✓",
            "emoji 😀 pair",
            "lone high \ud83d end",
            "lone low \ude00 end",
            "high at the end \ud83d",
            "\u0080\u07ff\u0800\uffff");
    for (String s : cases) {
      assertThat(escaped(s))
          .as(s)
          .isEqualTo(escapedReference(s).getBytes(StandardCharsets.UTF_8))
          .hasSizeLessThanOrEqualTo(LineBuffer.bound(s));
    }
    assertThat(escaped(null)).isEqualTo(new byte[] {'-'});
    assertThat(escaped("")).isEqualTo(new byte[] {'-'});
  }

  @Test
  void randomTextAgreesWithTheJdk() {
    Random r = new Random(14);
    char[] pool = {'a', '"', '\\', '\n', '\u007f', 'é', '東', '\ud83d', '\ude00', ' ', '\u0001'};
    for (int i = 0; i < 20_000; i++) {
      char[] c = new char[r.nextInt(12)];
      for (int j = 0; j < c.length; j++) {
        c[j] = r.nextInt(4) == 0 ? (char) r.nextInt(0x10000) : pool[r.nextInt(pool.length)];
      }
      String s = new String(c);
      assertThat(escaped(s))
          .as("%s", Arrays.toString(c))
          .isEqualTo(escapedReference(s).getBytes(StandardCharsets.UTF_8));
      LineBuffer b = new LineBuffer(Thread.currentThread());
      b.reserve(LineBuffer.bound(s));
      assertThat(taken(b.text(s))).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void numbers() {
    LineBuffer b = new LineBuffer(Thread.currentThread());
    b.reserve(100);
    b.number(0).ch(' ').number(7).ch(' ').number(302).ch(' ').number(1234567890123L);
    b.ch(' ').number(-5);
    assertThat(new String(taken(b), StandardCharsets.US_ASCII))
        .isEqualTo("0 7 302 1234567890123 -5");
  }

  @Test
  void growsUpToItsCapAndNoFurtherKeepingWhatItHolds() {
    LineBuffer b = new LineBuffer(Thread.currentThread());
    byte[] kilobyte = new byte[1024];
    Arrays.fill(kilobyte, (byte) 'k');
    int appended = 0;
    while (b.reserve(1024)) {
      b.ascii(kilobyte);
      appended += 1024;
    }
    assertThat(appended).isEqualTo(LineBuffer.CAP);
    assertThat(b.reserve(1)).isFalse();
    byte[] all = taken(b);
    assertThat(all).hasSize(LineBuffer.CAP).containsOnly((byte) 'k');
    // Emptied by the take: room again, and the next take holds only what came after.
    assertThat(b.reserve(3)).isTrue();
    b.ch('a').ch('b');
    assertThat(taken(b)).isEqualTo(new byte[] {'a', 'b'});
    assertThat(b.take()).isZero();
  }

  @Test
  void buffersGrowOnlyWithinTheirSharedBudgetAndGiveItBack() {
    java.util.concurrent.atomic.AtomicLong budget =
        new java.util.concurrent.atomic.AtomicLong(256 << 10);
    LineBuffer a = new LineBuffer(Thread.currentThread(), budget);
    LineBuffer b = new LineBuffer(Thread.currentThread(), budget);
    assertThat(budget).hasValue((256 << 10) - (64 << 10)); // two arrays each, 16 KiB
    assertThat(a.reserve(128 << 10)).isTrue(); // one of a's grows to 128 KiB
    assertThat(b.reserve(128 << 10)).as("past the budget").isFalse();
    assertThat(b.reserve(64 << 10)).isTrue();
    assertThat(budget).hasValue((256 << 10) - (128 + 16 + 64 + 16 << 10));
    a.ascii(new byte[100 << 10]);
    a.shrinkTaken(a.take()); // 100 KiB held in 128 KiB: kept
    assertThat(budget).hasValue((256 << 10) - (128 + 16 + 64 + 16 << 10));
    for (int i = 0; i < 2; i++) { // the arrays alternate: each is taken once
      a.ascii(new byte[10]);
      a.shrinkTaken(a.take()); // 10 bytes: a taken array larger than 64 KiB shrinks to 16 KiB
    }
    assertThat(budget).hasValue((256 << 10) - (16 + 16 + 64 + 16 << 10));
    a.release();
    b.release();
    assertThat(budget).hasValue(256 << 10);
  }
}
