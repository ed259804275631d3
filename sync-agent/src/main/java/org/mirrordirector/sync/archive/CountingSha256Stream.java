package org.mirrordirector.sync.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Hashes and counts everything read through it. */
public final class CountingSha256Stream extends FilterInputStream {
  private final MessageDigest digest;
  private long count;

  public CountingSha256Stream(InputStream in) {
    this(in, true);
  }

  /** With {@code hash} false, only counts: for a stream whose hash nobody will check. */
  public CountingSha256Stream(InputStream in, boolean hash) {
    super(in);
    digest = hash ? Sha256.newDigest() : null;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      if (digest != null) {
        digest.update((byte) b);
      }
      count++;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      if (digest != null) {
        digest.update(b, off, n);
      }
      count += n;
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] tmp = new byte[(int) Math.min(n, 8192)];
    int r = read(tmp, 0, tmp.length);
    return Math.max(r, 0);
  }

  /** Reads the rest of the stream so that hash and count cover all of it. */
  public void drain() throws IOException {
    byte[] tmp = new byte[1 << 16];
    while (read(tmp, 0, tmp.length) >= 0) {
      // hashing as a side effect
    }
  }

  public long count() {
    return count;
  }

  public String hex() {
    if (digest == null) {
      throw new IllegalStateException("a stream counted, not hashed");
    }
    return Sha256.hex(digest);
  }
}
