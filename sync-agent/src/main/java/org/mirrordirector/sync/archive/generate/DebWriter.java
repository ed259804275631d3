package org.mirrordirector.sync.archive.generate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZOutputStream;

/**
 * Writes real Debian binary packages: an ar archive of debian-binary, control.tar.xz and
 * data.tar.xz that dpkg-deb accepts. The payload is random bytes of a chosen size, because real
 * .deb contents are compressed data too; it is stored in uncompressed LZMA2 chunks (valid xz) so
 * that making a large test pool costs copying, not compressing.
 */
public final class DebWriter {
  private static final int FILE = 0100644;
  private static final int DIR = 040755;

  /** Payloads above this are stored: random bytes do not compress, and storing is fast. */
  private static final int STORE_ABOVE = 64 * 1024;

  private DebWriter() {}

  /**
   * @param control the control fields in order (Package, Version, Architecture, ...)
   * @param targetSize the size the .deb should come close to; it is never below the minimum
   */
  public static byte[] build(
      Map<String, String> control, long targetSize, long contentSeed, Instant mtime)
      throws IOException {
    String pkg = control.get("Package");
    byte[] controlTar = controlTar(control, mtime);
    byte[] copyright =
        ("Files: *\nCopyright: generated for tests\nLicense: public-domain\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] emptyData = dataTar(pkg, copyright, new byte[0], mtime);
    long overhead = 8 + 60 + 4 + 60 + controlTar.length + 60 + emptyData.length + 64;
    int payloadLen = (int) Math.max(0, Math.min(Integer.MAX_VALUE - 1024, targetSize - overhead));
    byte[] payload = new byte[payloadLen];
    new Random(contentSeed).nextBytes(payload);
    byte[] dataTar = dataTar(pkg, copyright, payload, mtime);

    ByteArrayOutputStream out = new ByteArrayOutputStream(payloadLen + 4096);
    long t = mtime.getEpochSecond();
    try (ArArchiveOutputStream ar = new ArArchiveOutputStream(out)) {
      member(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII), t);
      member(ar, "control.tar.xz", controlTar, t);
      member(ar, "data.tar.xz", dataTar, t);
    }
    return out.toByteArray();
  }

  private static void member(ArArchiveOutputStream ar, String name, byte[] data, long mtime)
      throws IOException {
    ar.putArchiveEntry(new ArArchiveEntry(name, data.length, 0, 0, FILE, mtime));
    ar.write(data);
    ar.closeArchiveEntry();
  }

  private static byte[] controlTar(Map<String, String> control, Instant mtime) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> f : control.entrySet()) {
      sb.append(f.getKey()).append(": ").append(f.getValue().replace("\n", "\n ")).append('\n');
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = tar(xz(out, false))) {
      dir(tar, "./", mtime);
      file(tar, "./control", sb.toString().getBytes(StandardCharsets.UTF_8), mtime);
    }
    return out.toByteArray();
  }

  private static byte[] dataTar(String pkg, byte[] copyright, byte[] payload, Instant mtime)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 4096);
    try (TarArchiveOutputStream tar = tar(xz(out, payload.length > STORE_ABOVE))) {
      for (String d :
          new String[] {
            "./",
            "./usr/",
            "./usr/share/",
            "./usr/share/doc/",
            "./usr/share/doc/" + pkg + "/",
            "./usr/share/" + pkg + "/"
          }) {
        dir(tar, d, mtime);
      }
      file(tar, "./usr/share/doc/" + pkg + "/copyright", copyright, mtime);
      file(tar, "./usr/share/" + pkg + "/payload.bin", payload, mtime);
    }
    return out.toByteArray();
  }

  private static OutputStream xz(OutputStream out, boolean stored) throws IOException {
    LZMA2Options o;
    try {
      o = new LZMA2Options(0);
      if (stored) {
        o.setMode(LZMA2Options.MODE_UNCOMPRESSED);
      } else {
        o.setDictSize(LZMA2Options.DICT_SIZE_MIN);
      }
    } catch (UnsupportedOptionsException e) {
      throw new IllegalStateException(e);
    }
    return new XZOutputStream(out, o);
  }

  private static TarArchiveOutputStream tar(OutputStream out) {
    // One 512-byte record per block: the default 10 KiB blocking would pad every small package.
    TarArchiveOutputStream tar = new TarArchiveOutputStream(out, 512);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    return tar;
  }

  private static void dir(TarArchiveOutputStream tar, String name, Instant mtime)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    own(e, DIR, mtime);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] data, Instant mtime)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    own(e, FILE, mtime);
    e.setSize(data.length);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  private static void own(TarArchiveEntry e, int mode, Instant mtime) {
    e.setMode(mode);
    e.setModTime(mtime.toEpochMilli());
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("root");
    e.setGroupName("root");
  }

  /** MD5 of a .deb, for the Packages MD5sum field that older tools still read. */
  static String md5(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
