package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratedArchive;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;
import org.mirrordirector.sync.archive.generate.SigningKey;

/**
 * A generated archive on disk for a test, with the tools to damage it the way real archives get
 * damaged, and to re-sign it afterwards so that only the intended check can catch the damage.
 */
public final class TestArchive {
  public final Path root;
  public final Path keyring;
  public final GeneratedArchive result;
  private final SigningKey key;

  private TestArchive(Path root, Path keyring, GeneratedArchive result) {
    this.root = root;
    this.keyring = keyring;
    this.result = result;
    this.key = result.key();
  }

  /** A small bookworm archive (main, rpi; armhf) in {@code dir}/archive. */
  public static TestArchive create(Path dir, int packages) throws IOException {
    return create(dir, GeneratorOptions.small(dir.resolve("archive"), packages, 7));
  }

  public static TestArchive create(Path dir, GeneratorOptions options) throws IOException {
    GeneratedArchive r = ArchiveGenerator.generate(options);
    Path keyring = dir.resolve("archive-key.asc");
    Files.write(keyring, r.key().publicKeyArmored());
    return new TestArchive(options.out(), keyring, r);
  }

  public TrustedKeys keys() throws KeyringException {
    return TrustedKeys.load(keyring, List.of(), Sha1Policy.REJECT);
  }

  public VerificationReport verify(VerifyOptions options) throws IOException {
    return new ArchiveVerifier(keys()).verify(new LocalArchiveSource(root), options);
  }

  public VerificationReport verify() throws IOException {
    return verify(VerifyOptions.defaults("bookworm").withPool(PoolCheck.HASH));
  }

  public Path dists(String rel) {
    return root.resolve("dists/bookworm/" + rel);
  }

  /** The first pool file listed in main's Packages. */
  public Path firstPoolFile() throws IOException {
    return root.resolve(firstField("main/binary-armhf/Packages", "Filename"));
  }

  public String firstField(String index, String field) throws IOException {
    for (String l : Files.readAllLines(dists(index))) {
      if (l.startsWith(field + ": ")) {
        return l.substring(field.length() + 2);
      }
    }
    throw new IllegalStateException(index + " has no " + field);
  }

  /** Rewrites the Release text with {@code edit} and signs it again (InRelease and Release.gpg). */
  public void editRelease(java.util.function.UnaryOperator<String> edit) throws IOException {
    String text = Files.readString(dists("Release"), StandardCharsets.UTF_8);
    sign(edit.apply(text));
  }

  /**
   * Brings the Release entries of the given index files up to date with their content and signs
   * again: the archive is then "honestly" signed over whatever damage a test did to the files.
   */
  public void resignIndexes(String... indexes) throws IOException {
    String text = Files.readString(dists("Release"), StandardCharsets.UTF_8);
    for (String idx : indexes) {
      byte[] data = Files.readAllBytes(dists(idx));
      String sha = Sha256.hex(data);
      String md5 = md5(data);
      StringBuilder sb = new StringBuilder();
      for (String line : text.split("\n", -1)) {
        String[] parts = line.trim().split("\\s+");
        if (line.startsWith(" ") && parts.length == 3 && parts[2].equals(idx)) {
          String hash = parts[0].length() == 64 ? sha : md5;
          line = String.format(Locale.ROOT, " %s %16d %s", hash, data.length, idx);
        }
        sb.append(line).append('\n');
      }
      text = sb.substring(0, sb.length() - 1);
    }
    sign(text);
  }

  private void sign(String text) throws IOException {
    byte[] release = text.getBytes(StandardCharsets.UTF_8);
    Files.write(dists("Release"), release);
    Files.write(dists("Release.gpg"), key.detachedSign(release, result.date()));
    Files.write(dists("InRelease"), key.clearSign(release, result.date()));
  }

  private static String md5(byte[] data) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("MD5").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The SHA256 that the Release lists for an index. */
  public String firstFieldOfRelease(String index) throws IOException {
    boolean inSha = false;
    for (String l : Files.readAllLines(dists("Release"))) {
      if (!l.startsWith(" ")) {
        inSha = l.equals("SHA256:");
        continue;
      }
      String[] parts = l.trim().split("\\s+");
      if (inSha && parts[2].equals(index)) {
        return parts[0];
      }
    }
    throw new IllegalStateException("the Release does not list " + index);
  }
}
