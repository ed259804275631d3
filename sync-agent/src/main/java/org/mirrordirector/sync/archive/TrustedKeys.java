package org.mirrordirector.sync.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * The archive keys a verifier trusts: the keys of a keyring file, narrowed to pinned primary-key
 * fingerprints, each checked once when loaded (self-signatures, subkey bindings, revocations, the
 * SHA-1 binding policy). Verification then needs only a lookup by issuer and one signature check.
 */
public final class TrustedKeys {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();
  private static final Set<Integer> WEAK_DATA_HASHES =
      Set.of(HashAlgorithmTags.MD5, HashAlgorithmTags.SHA1, HashAlgorithmTags.RIPEMD160);

  /** A key that may make data signatures, or the reason it may not. */
  private record SigningKey(
      PGPPublicKey key,
      String primaryFingerprint,
      Optional<Instant> expires,
      boolean revoked,
      String unusableBecause) {}

  private final Map<Long, SigningKey> byKeyId;
  private final List<String> primaryFingerprints;
  private final String source;

  private TrustedKeys(Map<Long, SigningKey> byKeyId, List<String> primaries, String source) {
    this.byKeyId = byKeyId;
    this.primaryFingerprints = List.copyOf(primaries);
    this.source = source;
  }

  /**
   * Loads an armored or binary keyring file.
   *
   * @param pinned primary-key fingerprints to trust (spaces allowed); empty trusts every key in the
   *     file. Each pinned fingerprint must be in the file.
   */
  public static TrustedKeys load(Path keyring, Collection<String> pinned, Sha1Policy policy)
      throws KeyringException {
    byte[] data;
    try {
      data = Files.readAllBytes(keyring);
    } catch (NoSuchFileException e) {
      throw new KeyringException("keyring " + keyring + " does not exist");
    } catch (IOException e) {
      throw new KeyringException("keyring " + keyring + " cannot be read: " + e.getMessage(), e);
    }
    return fromBytes(data, keyring.toString(), pinned, policy);
  }

  public static TrustedKeys fromBytes(
      byte[] data, String source, Collection<String> pinned, Sha1Policy policy)
      throws KeyringException {
    PGPPublicKeyRingCollection rings;
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(data))) {
      rings = new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
    } catch (IOException | PGPException | RuntimeException e) {
      throw new KeyringException(
          "keyring " + source + " is not an OpenPGP public keyring: " + e.getMessage(), e);
    }
    Set<String> pins = new LinkedHashSet<>();
    for (String p : pinned) {
      String norm = p.replace(" ", "").toUpperCase(Locale.ROOT);
      if (!norm.matches("[0-9A-F]{40}|[0-9A-F]{64}")) {
        throw new KeyringException("pinned fingerprint '" + p + "' is not 40 or 64 hex digits");
      }
      pins.add(norm);
    }
    Map<Long, SigningKey> byId = new HashMap<>();
    List<String> primaries = new ArrayList<>();
    for (Iterator<PGPPublicKeyRing> it = rings.getKeyRings(); it.hasNext(); ) {
      PGPPublicKeyRing ring = it.next();
      PGPPublicKey primary = ring.getPublicKey();
      String fpr = HEX.formatHex(primary.getFingerprint());
      if (!pins.isEmpty() && !pins.contains(fpr)) {
        continue;
      }
      primaries.add(fpr);
      SigningKey primaryKey = checkPrimary(primary, fpr, policy);
      byId.put(primary.getKeyID(), primaryKey);
      for (Iterator<PGPPublicKey> keys = ring.getPublicKeys(); keys.hasNext(); ) {
        PGPPublicKey sub = keys.next();
        if (sub.isMasterKey()) {
          continue;
        }
        byId.put(sub.getKeyID(), checkSubkey(primary, primaryKey, sub, fpr, policy));
      }
    }
    for (String pin : pins) {
      if (!primaries.contains(pin)) {
        throw new KeyringException("pinned key " + pin + " is not in keyring " + source);
      }
    }
    if (primaries.isEmpty()) {
      throw new KeyringException("keyring " + source + " holds no OpenPGP public key");
    }
    return new TrustedKeys(byId, primaries, source);
  }

  /** Fingerprints of the trusted primary keys, upper-case hex. */
  public List<String> fingerprints() {
    return primaryFingerprints;
  }

  /** Verifies an InRelease; at least one signature must come from a trusted, valid key. */
  public GoodSignature verifyClearSigned(ClearSignedMessage message, Instant now)
      throws SignatureException {
    return verify(message.signatureBlock(), message.canonicalText(), null, now);
  }

  /** Verifies a detached signature (Release.gpg) over {@code data} (Release). */
  public GoodSignature verifyDetached(byte[] data, byte[] signature, Instant now)
      throws SignatureException {
    return verify(signature, null, data, now);
  }

  private GoodSignature verify(byte[] sigBytes, byte[] canonical, byte[] raw, Instant now)
      throws SignatureException {
    List<PGPSignature> sigs = readSignatures(sigBytes);
    List<String> unknown = new ArrayList<>();
    SignatureException firstFailure = null;
    GoodSignature good = null;
    for (PGPSignature sig : sigs) {
      SigningKey k = byKeyId.get(sig.getKeyID());
      if (k == null) {
        unknown.add(issuer(sig));
        continue;
      }
      try {
        GoodSignature g = check(sig, k, canonical != null ? canonical : dataFor(sig, raw), now);
        if (good == null) {
          good = g;
        }
      } catch (SignatureException e) {
        // A bad signature by a key we trust is never outweighed by another good one.
        if (firstFailure == null) {
          firstFailure = e;
        }
      }
    }
    if (firstFailure != null) {
      throw firstFailure;
    }
    if (good != null) {
      return good;
    }
    throw new SignatureException(
        "signed only by key(s) not trusted here: "
            + String.join(", ", unknown)
            + " (trusted: "
            + String.join(", ", primaryFingerprints)
            + " from "
            + source
            + ")");
  }

  private static byte[] dataFor(PGPSignature sig, byte[] raw) {
    if (sig.getSignatureType() != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
      return raw;
    }
    String text = new String(raw, StandardCharsets.UTF_8);
    return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
  }

  private GoodSignature check(PGPSignature sig, SigningKey k, byte[] data, Instant now)
      throws SignatureException {
    String who = HEX.formatHex(k.key().getFingerprint());
    if (k.unusableBecause() != null) {
      throw new SignatureException("key " + who + " cannot be trusted: " + k.unusableBecause());
    }
    if (k.revoked()) {
      throw new SignatureException("key " + who + " is revoked");
    }
    if (k.expires().isPresent() && now.isAfter(k.expires().get())) {
      throw new SignatureException("key " + who + " expired on " + k.expires().get());
    }
    int type = sig.getSignatureType();
    if (type != PGPSignature.BINARY_DOCUMENT && type != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
      throw new SignatureException(
          "signature by " + who + " is not a document signature (type " + type + ")");
    }
    if (WEAK_DATA_HASHES.contains(sig.getHashAlgorithm())) {
      throw new SignatureException(
          "signature by " + who + " uses the weak hash " + hashName(sig.getHashAlgorithm()));
    }
    boolean ok;
    try {
      sig.init(new BcPGPContentVerifierBuilderProvider(), k.key());
      sig.update(data);
      ok = sig.verify();
    } catch (PGPException | RuntimeException e) {
      throw new SignatureException("signature by " + who + " cannot be checked: " + e, e);
    }
    if (!ok) {
      throw new SignatureException(
          "BAD signature by key " + who + ": the signed text was altered or the signature forged");
    }
    Instant created = sig.getCreationTime().toInstant();
    if (created.isBefore(k.key().getCreationTime().toInstant())) {
      throw new SignatureException("signature by " + who + " predates its key");
    }
    return new GoodSignature(
        k.primaryFingerprint(), who, created, hashName(sig.getHashAlgorithm()));
  }

  private static List<PGPSignature> readSignatures(byte[] sigBytes) throws SignatureException {
    List<PGPSignature> out = new ArrayList<>();
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(sigBytes))) {
      PGPObjectFactory f = new BcPGPObjectFactory(in);
      Object o;
      while ((o = f.nextObject()) != null) {
        if (o instanceof PGPSignatureList list) {
          for (PGPSignature s : list) {
            out.add(s);
          }
        } else {
          throw new SignatureException(
              "signature block holds a " + o.getClass().getSimpleName() + ", not a signature");
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new SignatureException("signature block is not valid OpenPGP: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new SignatureException("signature block holds no signature");
    }
    return out;
  }

  private static SigningKey checkPrimary(PGPPublicKey primary, String fpr, Sha1Policy policy) {
    PGPSignature best = null;
    String problem = "it has no valid self-signature on a user ID";
    for (Iterator<String> ids = primary.getUserIDs(); ids.hasNext(); ) {
      String id = ids.next();
      for (Iterator<PGPSignature> s = primary.getSignaturesForID(id); s.hasNext(); ) {
        PGPSignature sig = s.next();
        if (sig.getKeyID() != primary.getKeyID() || !sig.isCertification()) {
          continue;
        }
        try {
          sig.init(new BcPGPContentVerifierBuilderProvider(), primary);
          if (!sig.verifyCertification(id, primary)) {
            continue;
          }
        } catch (PGPException | RuntimeException e) {
          continue;
        }
        if (sig.getHashAlgorithm() == HashAlgorithmTags.SHA1 && policy == Sha1Policy.REJECT) {
          problem =
              "its self-signature uses SHA-1 and the SHA-1 binding policy is REJECT (allow it"
                  + " explicitly for keys such as Raspbian's)";
          continue;
        }
        if (best == null || sig.getCreationTime().after(best.getCreationTime())) {
          best = sig;
        }
      }
    }
    if (best == null) {
      return new SigningKey(primary, fpr, Optional.empty(), false, problem);
    }
    boolean revoked = revoked(primary, primary, PGPSignature.KEY_REVOCATION);
    String cannotSign = canSign(best.getHashedSubPackets()) ? null : "its key flags forbid signing";
    return new SigningKey(primary, fpr, expiry(primary, best), revoked, cannotSign);
  }

  private static SigningKey checkSubkey(
      PGPPublicKey primary,
      SigningKey primaryKey,
      PGPPublicKey sub,
      String fpr,
      Sha1Policy policy) {
    PGPSignature best = null;
    String problem = "it has no valid binding signature from its primary key";
    for (Iterator<PGPSignature> s = sub.getSignaturesOfType(PGPSignature.SUBKEY_BINDING);
        s.hasNext(); ) {
      PGPSignature sig = s.next();
      try {
        sig.init(new BcPGPContentVerifierBuilderProvider(), primary);
        if (!sig.verifyCertification(primary, sub)) {
          continue;
        }
      } catch (PGPException | RuntimeException e) {
        continue;
      }
      if (sig.getHashAlgorithm() == HashAlgorithmTags.SHA1 && policy == Sha1Policy.REJECT) {
        problem =
            "its binding signature uses SHA-1 and the SHA-1 binding policy is REJECT (allow it"
                + " explicitly for keys such as Raspbian's)";
        continue;
      }
      if (best == null || sig.getCreationTime().after(best.getCreationTime())) {
        best = sig;
      }
    }
    if (best == null) {
      return new SigningKey(sub, fpr, Optional.empty(), false, problem);
    }
    String unusable =
        primaryKey.unusableBecause() != null
            ? "its primary key: " + primaryKey.unusableBecause()
            : null;
    if (unusable == null && !canSign(best.getHashedSubPackets())) {
      unusable = "its key flags forbid signing";
    }
    boolean revoked = primaryKey.revoked() || revoked(primary, sub, PGPSignature.SUBKEY_REVOCATION);
    Optional<Instant> exp = expiry(sub, best);
    if (primaryKey.expires().isPresent()
        && (exp.isEmpty() || primaryKey.expires().get().isBefore(exp.get()))) {
      exp = primaryKey.expires();
    }
    return new SigningKey(sub, fpr, exp, revoked, unusable);
  }

  private static boolean revoked(PGPPublicKey signer, PGPPublicKey key, int type) {
    for (Iterator<PGPSignature> s = key.getSignaturesOfType(type); s.hasNext(); ) {
      PGPSignature sig = s.next();
      try {
        sig.init(new BcPGPContentVerifierBuilderProvider(), signer);
        boolean ok =
            type == PGPSignature.KEY_REVOCATION
                ? sig.verifyCertification(key)
                : sig.verifyCertification(signer, key);
        if (ok) {
          return true;
        }
      } catch (PGPException | RuntimeException e) {
        // An unverifiable revocation is ignored, as GnuPG does.
      }
    }
    return false;
  }

  private static boolean canSign(PGPSignatureSubpacketVector hashed) {
    if (hashed == null || hashed.getKeyFlags() == 0) {
      return true; // no flags: old keys, usable as their algorithm allows
    }
    return (hashed.getKeyFlags() & KeyFlags.SIGN_DATA) != 0;
  }

  private static Optional<Instant> expiry(PGPPublicKey key, PGPSignature selfSig) {
    PGPSignatureSubpacketVector hashed = selfSig.getHashedSubPackets();
    long secs = hashed == null ? 0 : hashed.getKeyExpirationTime();
    if (secs <= 0) {
      return Optional.empty();
    }
    return Optional.of(key.getCreationTime().toInstant().plusSeconds(secs));
  }

  private static String issuer(PGPSignature sig) {
    PGPSignatureSubpacketVector hashed = sig.getHashedSubPackets();
    if (hashed != null && hashed.getIssuerFingerprint() != null) {
      return HEX.formatHex(hashed.getIssuerFingerprint().getFingerprint());
    }
    return String.format("%016X", sig.getKeyID());
  }

  private static String hashName(int alg) {
    try {
      return PGPUtil.getDigestName(alg);
    } catch (PGPException e) {
      return "hash#" + alg;
    }
  }
}
