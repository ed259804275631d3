package org.mirrordirector.director;

/** The writer's batch: what every thread had buffered at one tick, in one growing array. */
final class LineBatch {
  private byte[] bytes = new byte[64 * 1024];
  private int len;

  void append(byte[] b, int n) {
    if (len + n > bytes.length) {
      bytes = java.util.Arrays.copyOf(bytes, Math.max(len + n, bytes.length * 2));
    }
    System.arraycopy(b, 0, bytes, len, n);
    len += n;
  }

  int length() {
    return len;
  }

  /** The batch's bytes in an array of their own, and the batch emptied. */
  byte[] drain() {
    byte[] out = java.util.Arrays.copyOf(bytes, len);
    len = 0;
    return out;
  }
}
