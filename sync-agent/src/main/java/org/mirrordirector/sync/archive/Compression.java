package org.mirrordirector.sync.archive;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/** The compressions an index variant may use, told apart by the file name as apt does. */
public enum Compression {
  NONE(""),
  GZIP(".gz"),
  XZ(".xz"),
  BZIP2(".bz2");

  private final String suffix;

  Compression(String suffix) {
    this.suffix = suffix;
  }

  public String suffix() {
    return suffix;
  }

  /** The compression of a path from its suffix; paths with other suffixes are NONE. */
  public static Compression of(String path) {
    for (Compression c : values()) {
      if (c != NONE && path.endsWith(c.suffix)) {
        return c;
      }
    }
    return NONE;
  }

  /** The path without this compression's suffix: the index that variants share. */
  public static String base(String path) {
    Compression c = of(path);
    return path.substring(0, path.length() - c.suffix.length());
  }

  /**
   * Wraps {@code raw} in a decompressor. Corrupt or truncated data surfaces as an {@link
   * ArchiveFormatException} naming {@code source} and the compression, never as a bare EOF.
   *
   * @param maxOutput the most bytes the decompressed stream may yield (a bound against
   *     decompression bombs); exceeding it is an error
   */
  public InputStream decompress(InputStream raw, String source, long maxOutput) throws IOException {
    InputStream in = new BufferedInputStream(raw, 1 << 16);
    InputStream out;
    try {
      out =
          switch (this) {
            case NONE -> in;
            case GZIP ->
                GzipCompressorInputStream.builder()
                    .setInputStream(in)
                    .setDecompressConcatenated(true)
                    .get();
            case XZ -> new XZCompressorInputStream(in, false, 64 * 1024);
            case BZIP2 -> new BZip2CompressorInputStream(in, true);
          };
    } catch (IOException e) {
      throw corrupt(source, e);
    }
    return new Guarded(out, source, maxOutput);
  }

  private ArchiveFormatException corrupt(String source, IOException e) {
    String what = e instanceof EOFException ? "truncated" : "corrupt";
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new ArchiveFormatException(
        source,
        what + " " + name().toLowerCase(java.util.Locale.ROOT) + " data (" + detail + ")",
        e);
  }

  /** Turns decoder failures into format errors and enforces the output bound. */
  private final class Guarded extends FilterInputStream {
    private final String source;
    private final long max;
    private long count;

    Guarded(InputStream in, String source, long max) {
      super(in);
      this.source = source;
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (ArchiveFormatException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw corrupt(source, e instanceof IOException io ? io : new IOException(e.toString(), e));
      }
      if (n > 0) {
        count += n;
        if (count > max) {
          throw new ArchiveFormatException(
              source, "decompresses to more than the " + max + " bytes allowed", null);
        }
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] tmp = new byte[(int) Math.min(n, 8192)];
      int r = read(tmp, 0, tmp.length);
      return Math.max(r, 0);
    }
  }
}
