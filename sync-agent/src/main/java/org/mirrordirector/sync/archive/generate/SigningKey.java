package org.mirrordirector.sync.archive.generate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * An archive signing key for generated archives: RSA, derived from a seed so that the same seed
 * signs every version of a test archive with the same key. It signs as Debian's archive tools do
 * (SHA-512, clear-signed InRelease and armored detached Release.gpg). With {@code sha1Binding} its
 * self-signature uses SHA-1, like Raspbian's real key, to exercise the verifier's policy.
 */
public final class SigningKey {
  public static final String USER_ID =
      "Mirror Director Test Archive <archive@mirrordirector.invalid>";
  private static final Instant KEY_CREATED = Instant.parse("2024-01-01T00:00:00Z");
  private static final Map<String, SigningKey> CACHE = new ConcurrentHashMap<>();

  private final PGPKeyPair pair;
  private final PGPPublicKey publicKey;

  private SigningKey(PGPKeyPair pair, PGPPublicKey publicKey) {
    this.pair = pair;
    this.publicKey = publicKey;
  }

  /** The key for a seed; generated once per process (RSA generation takes a moment). */
  public static SigningKey fromSeed(String seed, boolean sha1Binding) {
    return CACHE.computeIfAbsent(seed + "\0" + sha1Binding, k -> generate(seed, sha1Binding));
  }

  private static SigningKey generate(String seed, boolean sha1Binding) {
    try {
      RSAKeyPairGenerator gen = new RSAKeyPairGenerator();
      gen.init(
          new RSAKeyGenerationParameters(
              BigInteger.valueOf(0x10001), new DeterministicRandom("rsa:" + seed), 2048, 80));
      AsymmetricCipherKeyPair kp = gen.generateKeyPair();
      PGPKeyPair pair =
          new BcPGPKeyPair(
              PublicKeyPacket.VERSION_4,
              PublicKeyAlgorithmTags.RSA_GENERAL,
              kp,
              Date.from(KEY_CREATED));
      int hash = sha1Binding ? HashAlgorithmTags.SHA1 : HashAlgorithmTags.SHA256;
      PGPSignatureGenerator sg =
          new PGPSignatureGenerator(
              new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL, hash),
              pair.getPublicKey());
      sg.init(PGPSignature.POSITIVE_CERTIFICATION, pair.getPrivateKey());
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      hashed.setSignatureCreationTime(false, Date.from(KEY_CREATED));
      hashed.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
      hashed.setIssuerFingerprint(false, pair.getPublicKey());
      hashed.setPreferredHashAlgorithms(
          false, new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA256});
      hashed.setPrimaryUserID(false, true);
      sg.setHashedSubpackets(hashed.generate());
      PGPSignature cert = sg.generateCertification(USER_ID, pair.getPublicKey());
      PGPPublicKey pub = PGPPublicKey.addCertification(pair.getPublicKey(), USER_ID, cert);
      return new SigningKey(pair, pub);
    } catch (PGPException e) {
      throw new IllegalStateException("cannot generate the test archive key: " + e, e);
    }
  }

  /** The primary key fingerprint, upper-case hex. */
  public String fingerprint() {
    return HexFormat.of().withUpperCase().formatHex(publicKey.getFingerprint());
  }

  /** The public key as an armored block, the form apt wants in a {@code .asc} file. */
  public byte[] publicKeyArmored() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ArmoredOutputStream a = armored(out)) {
      new PGPPublicKeyRing(List.of(publicKey)).encode(a, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The public key in binary form, the form apt wants in a {@code .gpg} file. */
  public byte[] publicKeyBinary() {
    try {
      return new PGPPublicKeyRing(List.of(publicKey)).getEncoded(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Clear-signs a Release text (which must end with a newline) into an InRelease.
   *
   * @param when the signature's creation time (the Release Date keeps archives reproducible)
   */
  public byte[] clearSign(byte[] releaseText, Instant when) {
    String text = new String(releaseText, StandardCharsets.UTF_8);
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("a Release text ends with a newline");
    }
    List<String> lines =
        new ArrayList<>(List.of(text.substring(0, text.length() - 1).split("\n", -1)));
    StringBuilder canonical = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      String l = stripTrailing(lines.get(i));
      if (i > 0) {
        canonical.append("\r\n");
      }
      canonical.append(l);
      body.append(l.startsWith("-") ? "- " + l : l).append('\n');
    }
    byte[] sig =
        sign(
            PGPSignature.CANONICAL_TEXT_DOCUMENT,
            canonical.toString().getBytes(StandardCharsets.UTF_8),
            when);
    return ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n" + body)
        .concat(new String(sig, StandardCharsets.US_ASCII))
        .getBytes(StandardCharsets.UTF_8);
  }

  /** An armored detached signature over {@code data}, as Release.gpg holds. */
  public byte[] detachedSign(byte[] data, Instant when) {
    return sign(PGPSignature.BINARY_DOCUMENT, data, when);
  }

  private byte[] sign(int type, byte[] data, Instant when) {
    try {
      PGPSignatureGenerator sg =
          new PGPSignatureGenerator(
              new BcPGPContentSignerBuilder(
                  PublicKeyAlgorithmTags.RSA_GENERAL, HashAlgorithmTags.SHA512),
              publicKey);
      sg.init(type, pair.getPrivateKey());
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      hashed.setSignatureCreationTime(false, Date.from(when));
      hashed.setIssuerFingerprint(false, publicKey);
      sg.setHashedSubpackets(hashed.generate());
      PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
      unhashed.setIssuerKeyID(false, publicKey.getKeyID());
      sg.setUnhashedSubpackets(unhashed.generate());
      sg.update(data);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArmoredOutputStream a = armored(out)) {
        sg.generate().encode(a);
      }
      return out.toByteArray();
    } catch (PGPException | IOException e) {
      throw new IllegalStateException("cannot sign: " + e, e);
    }
  }

  private static ArmoredOutputStream armored(ByteArrayOutputStream out) {
    ArmoredOutputStream a = new ArmoredOutputStream(out);
    a.clearHeaders();
    return a;
  }

  private static String stripTrailing(String l) {
    int e = l.length();
    while (e > 0 && (l.charAt(e - 1) == ' ' || l.charAt(e - 1) == '\t')) {
      e--;
    }
    return l.substring(0, e);
  }
}
