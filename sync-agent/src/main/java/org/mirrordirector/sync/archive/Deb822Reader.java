package org.mirrordirector.sync.archive;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A streaming reader of deb822 files (Packages, Sources, Release): it holds one line and one
 * paragraph at a time, so a 70 MB Packages file costs no more memory than its longest stanza, and a
 * line or stanza longer than the configured limits fails at once instead of exhausting memory.
 *
 * <p>With a field filter, fields outside the filter are checked for syntax but never turned into
 * strings, which is what makes a full parse of a large index cheap.
 */
public final class Deb822Reader implements Closeable {

  private final InputStream in;
  private final String source;
  private final Deb822Limits limits;
  private final byte[][] wanted;

  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int end;
  private boolean eof;

  private byte[] line = new byte[256];
  private int lineLen;
  private long lineNo;

  /** Reads every field. */
  public Deb822Reader(InputStream in, String source) {
    this(in, source, Deb822Limits.DEFAULT, null);
  }

  /**
   * @param wantedFields the fields to materialise (case-insensitive), or null for all of them
   */
  public Deb822Reader(
      InputStream in, String source, Deb822Limits limits, Set<String> wantedFields) {
    this.in = in;
    this.source = source;
    this.limits = limits;
    if (wantedFields == null) {
      this.wanted = null;
    } else {
      this.wanted = new byte[wantedFields.size()][];
      int i = 0;
      for (String f : wantedFields) {
        wanted[i++] = f.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
      }
    }
  }

  /** The name used in error messages. */
  public String source() {
    return source;
  }

  /** The next paragraph, or null at the end of the input. */
  public Paragraph next() throws IOException {
    // Skip separator lines.
    do {
      if (!readLine()) {
        return null;
      }
    } while (isBlank());

    long start = lineNo;
    List<Deb822Field> fields = new ArrayList<>(wanted == null ? 24 : wanted.length);
    List<String> seen = new ArrayList<>(24);
    long paragraphBytes = 0;
    String currentName = null;
    StringBuilder currentValue = null;
    boolean currentWanted = false;

    do {
      paragraphBytes += lineLen + 1;
      if (paragraphBytes > limits.maxParagraphBytes()) {
        throw new ArchiveFormatException(
            source,
            start,
            "stanza is longer than " + limits.maxParagraphBytes() + " bytes; no real one is");
      }
      byte first = line[0];
      if (first == ' ' || first == '\t') {
        if (currentName == null) {
          throw new ArchiveFormatException(
              source, lineNo, "continuation line before any field in the stanza");
        }
        if (currentWanted) {
          currentValue.append('\n');
          appendTrimmedEnd(currentValue, 1);
        }
        continue;
      }
      if (currentWanted) {
        fields.add(new Deb822Field(currentName, currentValue.toString()));
      }
      int colon = indexOf((byte) ':');
      if (colon <= 0) {
        throw new ArchiveFormatException(
            source, lineNo, "expected 'Field: value' but found " + quote(line, lineLen));
      }
      checkFieldName(colon);
      if (seen.size() >= limits.maxFields()) {
        throw new ArchiveFormatException(
            source, start, "stanza has more than " + limits.maxFields() + " fields");
      }
      currentWanted = isWanted(colon);
      String name = currentWanted ? new String(line, 0, colon, StandardCharsets.US_ASCII) : null;
      String key = currentWanted ? name : nameKey(colon);
      for (String s : seen) {
        if (s.equalsIgnoreCase(key)) {
          throw new ArchiveFormatException(source, lineNo, "field " + key + " appears twice");
        }
      }
      seen.add(key);
      currentName = key;
      if (currentWanted) {
        currentValue = new StringBuilder(Math.max(16, lineLen - colon));
        appendTrimmedBoth(currentValue, colon + 1);
      }
    } while (readLine() && !isBlank());

    if (currentWanted) {
      fields.add(new Deb822Field(currentName, currentValue.toString()));
    }
    return new Paragraph(source, start, fields);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private boolean isWanted(int nameLen) {
    if (wanted == null) {
      return true;
    }
    outer:
    for (byte[] w : wanted) {
      if (w.length != nameLen) {
        continue;
      }
      for (int i = 0; i < nameLen; i++) {
        byte b = line[i];
        if (b >= 'A' && b <= 'Z') {
          b += 32;
        }
        if (b != w[i]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * A name for duplicate detection of unwanted fields; cheap enough, and only on filtered reads.
   */
  private String nameKey(int nameLen) {
    return new String(line, 0, nameLen, StandardCharsets.US_ASCII);
  }

  private void checkFieldName(int nameLen) throws ArchiveFormatException {
    byte first = line[0];
    if (first == '#' || first == '-') {
      throw new ArchiveFormatException(
          source, lineNo, "field name may not start with '" + (char) first + "'");
    }
    for (int i = 0; i < nameLen; i++) {
      byte b = line[i];
      if (b <= 32 || b >= 127) {
        throw new ArchiveFormatException(
            source, lineNo, "invalid character in field name " + quote(line, nameLen));
      }
    }
  }

  private void appendTrimmedBoth(StringBuilder sb, int from) {
    int s = from;
    while (s < lineLen && (line[s] == ' ' || line[s] == '\t')) {
      s++;
    }
    appendRange(sb, s);
  }

  private void appendTrimmedEnd(StringBuilder sb, int from) {
    appendRange(sb, from);
  }

  private void appendRange(StringBuilder sb, int from) {
    int e = lineLen;
    while (e > from && (line[e - 1] == ' ' || line[e - 1] == '\t')) {
      e--;
    }
    boolean ascii = true;
    for (int i = from; i < e; i++) {
      if (line[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      for (int i = from; i < e; i++) {
        sb.append((char) line[i]);
      }
    } else {
      sb.append(new String(line, from, e - from, StandardCharsets.UTF_8));
    }
  }

  private int indexOf(byte b) {
    for (int i = 0; i < lineLen; i++) {
      if (line[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private boolean isBlank() {
    for (int i = 0; i < lineLen; i++) {
      if (line[i] != ' ' && line[i] != '\t') {
        return false;
      }
    }
    return true;
  }

  /** Reads one line into {@code line} without its terminator; false at the end of input. */
  private boolean readLine() throws IOException {
    lineLen = 0;
    boolean any = false;
    while (true) {
      if (pos == end) {
        if (eof || !fill()) {
          if (!any) {
            return false;
          }
          break;
        }
      }
      any = true;
      int start = pos;
      int nl = -1;
      for (int i = pos; i < end; i++) {
        if (buf[i] == '\n') {
          nl = i;
          break;
        }
      }
      int stop = nl < 0 ? end : nl;
      append(start, stop - start);
      if (nl >= 0) {
        pos = nl + 1;
        break;
      }
      pos = end;
    }
    lineNo++;
    if (lineLen > 0 && line[lineLen - 1] == '\r') {
      lineLen--;
    }
    return true;
  }

  private void append(int from, int len) throws ArchiveFormatException {
    int need = lineLen + len;
    if (need > limits.maxLineBytes()) {
      throw new ArchiveFormatException(
          source,
          lineNo + 1,
          "line is longer than " + limits.maxLineBytes() + " bytes; no real index has such a line");
    }
    if (need > line.length) {
      line = Arrays.copyOf(line, Math.min(limits.maxLineBytes(), Math.max(need, line.length * 2)));
    }
    System.arraycopy(buf, from, line, lineLen, len);
    lineLen = need;
  }

  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      eof = true;
      pos = end = 0;
      return false;
    }
    pos = 0;
    end = n;
    return true;
  }

  static String quote(byte[] b, int len) {
    int n = Math.min(len, 60);
    String s = new String(b, 0, n, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?");
    return "'" + s + (len > n ? "...'" : "'");
  }
}
