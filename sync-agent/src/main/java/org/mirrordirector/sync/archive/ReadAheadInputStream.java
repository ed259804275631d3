package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a stream ahead on a thread of its own, in chunks, through a small bounded queue. Put in
 * front of a decompressor it lets decompression (xz-java runs at some 50 MB/s) overlap with the
 * parsing and hashing of what it yields, on a second core. Failures of the source reach the reader
 * as they were thrown; closing the reader stops the thread.
 */
final class ReadAheadInputStream extends InputStream {
  private static final Object EOF = new Object();
  private static final int CHUNK = 256 * 1024;

  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(8);
  private final Thread producer;
  private final InputStream source;
  private volatile boolean closed;
  private byte[] current = new byte[0];
  private int pos;
  private boolean done;

  ReadAheadInputStream(InputStream source, String name) {
    this.source = source;
    producer = new Thread(() -> pump(source), "read-ahead " + name);
    producer.setDaemon(true);
    producer.start();
  }

  private void pump(InputStream source) {
    // The source is not closed here: its owner may read on beneath it (the rest of a raw file
    // after a compressed stream ends) once this stream has reported the end.
    try {
      while (!closed) {
        byte[] b = new byte[CHUNK];
        int n = source.readNBytes(b, 0, CHUNK);
        if (n == 0) {
          break;
        }
        put(n == CHUNK ? b : java.util.Arrays.copyOf(b, n));
      }
      put(EOF);
    } catch (IOException | RuntimeException e) {
      put(e);
    }
  }

  private void put(Object o) {
    try {
      while (!closed && !queue.offer(o, 100, TimeUnit.MILLISECONDS)) {
        // the reader is slower; wait for room unless it has gone
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (pos == current.length && !next()) {
      return -1;
    }
    int n = Math.min(len, current.length - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }

  private boolean next() throws IOException {
    if (done) {
      return false;
    }
    Object o;
    try {
      o = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading ahead");
    }
    if (o == EOF) {
      done = true;
      return false;
    }
    if (o instanceof IOException e) {
      done = true;
      throw e;
    }
    if (o instanceof RuntimeException e) {
      done = true;
      throw new IOException(e.toString(), e);
    }
    current = (byte[]) o;
    pos = 0;
    return true;
  }

  /** Stops the reading thread, then closes the source. */
  @Override
  public void close() throws IOException {
    closed = true;
    producer.interrupt();
    queue.clear();
    try {
      producer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    source.close();
  }
}
