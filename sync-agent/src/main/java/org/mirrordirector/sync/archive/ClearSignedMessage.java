package org.mirrordirector.sync.archive;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A clear-signed OpenPGP message (RFC 4880 section 7) as InRelease uses it, split strictly: the
 * file must start with the signed-message header and end with the signature block, so no unsigned
 * text can ride along before or after the signed part (the trap apt fell into once).
 */
public final class ClearSignedMessage {
  private static final String BEGIN_MESSAGE = "-----BEGIN PGP SIGNED MESSAGE-----";
  private static final String BEGIN_SIGNATURE = "-----BEGIN PGP SIGNATURE-----";
  private static final String END_SIGNATURE = "-----END PGP SIGNATURE-----";

  private final List<String> lines;
  private final byte[] signatureBlock;

  private ClearSignedMessage(List<String> lines, byte[] signatureBlock) {
    this.lines = lines;
    this.signatureBlock = signatureBlock;
  }

  /** Splits an InRelease; the exception names {@code source} and what is malformed. */
  public static ClearSignedMessage parse(byte[] data, String source) throws ArchiveFormatException {
    String text = new String(data, StandardCharsets.UTF_8);
    String[] raw = text.split("\r?\n", -1);
    int i = 0;
    if (raw.length == 0 || !raw[0].equals(BEGIN_MESSAGE)) {
      throw new ArchiveFormatException(
          source, 1, "is not a clear-signed message (first line is not " + BEGIN_MESSAGE + ")");
    }
    i++;
    boolean sawHash = false;
    for (; i < raw.length && !raw[i].isEmpty(); i++) {
      if (raw[i].startsWith("Hash: ")) {
        sawHash = true;
      } else {
        throw new ArchiveFormatException(
            source, i + 1, "unexpected armor header '" + shorten(raw[i]) + "'");
      }
    }
    if (!sawHash || i >= raw.length) {
      throw new ArchiveFormatException(source, i + 1, "signed-message header lacks Hash:");
    }
    i++; // the blank line
    List<String> body = new ArrayList<>();
    for (; i < raw.length; i++) {
      String l = raw[i];
      if (l.equals(BEGIN_SIGNATURE)) {
        break;
      }
      if (l.startsWith("-")) {
        if (!l.startsWith("- ")) {
          throw new ArchiveFormatException(
              source, i + 1, "line starting with '-' is not dash-escaped: '" + shorten(l) + "'");
        }
        l = l.substring(2);
      }
      body.add(stripTrailingWhitespace(l));
    }
    if (i >= raw.length) {
      throw new ArchiveFormatException(source, 0, "has no signature block (truncated?)");
    }
    int sigStart = i;
    for (i++; i < raw.length && !raw[i].equals(END_SIGNATURE); i++) {
      if (raw[i].startsWith("-----")) {
        throw new ArchiveFormatException(source, i + 1, "unexpected armor line inside signature");
      }
    }
    if (i >= raw.length) {
      throw new ArchiveFormatException(source, 0, "signature block is not terminated (truncated?)");
    }
    int sigEnd = i;
    for (i++; i < raw.length; i++) {
      if (!raw[i].isBlank()) {
        throw new ArchiveFormatException(
            source, i + 1, "text after the signature block is not allowed");
      }
    }
    StringBuilder sig = new StringBuilder();
    for (int k = sigStart; k <= sigEnd; k++) {
      sig.append(raw[k]).append('\n');
    }
    return new ClearSignedMessage(
        List.copyOf(body), sig.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The signed text as a Release file would hold it: lines joined by '\n' and a final '\n'. This is
   * the only text a caller may parse; it is exactly what the signature covers, bar line endings.
   */
  public byte[] signedText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String l : lines) {
      out.writeBytes(l.getBytes(StandardCharsets.UTF_8));
      out.write('\n');
    }
    return out.toByteArray();
  }

  /** The bytes a canonical-text signature is computed over: CRLF between lines, none after. */
  public byte[] canonicalText() {
    return canonicalize(lines);
  }

  /** The armored signature block, from its BEGIN line to its END line. */
  public byte[] signatureBlock() {
    return signatureBlock.clone();
  }

  static byte[] canonicalize(List<String> lines) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int k = 0; k < lines.size(); k++) {
      if (k > 0) {
        out.write('\r');
        out.write('\n');
      }
      out.writeBytes(stripTrailingWhitespace(lines.get(k)).getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  static String stripTrailingWhitespace(String l) {
    int e = l.length();
    while (e > 0 && (l.charAt(e - 1) == ' ' || l.charAt(e - 1) == '\t')) {
      e--;
    }
    return l.substring(0, e);
  }

  private static String shorten(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
