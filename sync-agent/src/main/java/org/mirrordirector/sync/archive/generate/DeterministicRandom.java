package org.mirrordirector.sync.archive.generate;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import org.mirrordirector.sync.archive.Sha256;

/**
 * A SecureRandom whose bytes are SHA-256(seed || counter): the same seed always yields the same
 * key. For generating test archives only; a real signing key must never come from here.
 */
final class DeterministicRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;

  private final byte[] seed;
  private long counter;
  private byte[] block = new byte[0];
  private int used;

  DeterministicRandom(String seed) {
    this.seed = seed.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void nextBytes(byte[] out) {
    for (int i = 0; i < out.length; i++) {
      if (used == block.length) {
        MessageDigest d = Sha256.newDigest();
        d.update(seed);
        d.update(ByteBuffer.allocate(8).putLong(counter++).array());
        block = d.digest();
        used = 0;
      }
      out[i] = block[used++];
    }
  }

  @Override
  public byte[] generateSeed(int numBytes) {
    byte[] b = new byte[numBytes];
    nextBytes(b);
    return b;
  }

  @Override
  public void setSeed(long ignored) {
    // The seed is fixed at construction; Random's constructor calls this before fields exist.
  }

  @Override
  public void setSeed(byte[] ignored) {
    // As above.
  }
}
