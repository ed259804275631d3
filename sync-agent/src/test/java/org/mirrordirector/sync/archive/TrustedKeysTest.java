package org.mirrordirector.sync.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mirrordirector.sync.archive.generate.SigningKey;

class TrustedKeysTest {
  private static final Instant WHEN = Instant.parse("2026-01-01T00:00:00Z");
  private static final byte[] RELEASE =
      "Origin: test\nCodename: bookworm\n-dash: escaped\nDate: Thu, 01 Jan 2026 00:00:00 UTC\n"
          .getBytes(StandardCharsets.UTF_8);

  private static final SigningKey KEY = SigningKey.fromSeed("trusted-keys-test", false);
  private static final SigningKey OTHER = SigningKey.fromSeed("someone-else", false);
  private static final SigningKey SHA1_KEY = SigningKey.fromSeed("trusted-keys-test", true);

  private static TrustedKeys trust(SigningKey k, Sha1Policy policy) throws KeyringException {
    return TrustedKeys.fromBytes(k.publicKeyArmored(), "test.asc", List.of(), policy);
  }

  @Test
  void acceptsAClearSignedReleaseAndYieldsExactlyTheSignedText() throws Exception {
    byte[] inRelease = KEY.clearSign(RELEASE, WHEN);
    ClearSignedMessage m = ClearSignedMessage.parse(inRelease, "InRelease");
    GoodSignature g = trust(KEY, Sha1Policy.REJECT).verifyClearSigned(m, WHEN);
    assertThat(g.primaryFingerprint()).isEqualTo(KEY.fingerprint());
    assertThat(g.hash()).isEqualTo("SHA512");
    assertThat(g.created()).isEqualTo(WHEN);
    assertThat(m.signedText()).isEqualTo(RELEASE);
  }

  @Test
  void acceptsADetachedSignatureInBinaryForm() throws Exception {
    TrustedKeys keys =
        TrustedKeys.fromBytes(
            KEY.publicKeyBinary(), "test.gpg", List.of(KEY.fingerprint()), Sha1Policy.REJECT);
    assertThat(
            keys.verifyDetached(RELEASE, KEY.detachedSign(RELEASE, WHEN), WHEN)
                .signingFingerprint())
        .isEqualTo(KEY.fingerprint());
  }

  @Test
  void rejectsAlteredSignedText() throws Exception {
    String signed = new String(KEY.clearSign(RELEASE, WHEN), StandardCharsets.UTF_8);
    byte[] altered =
        signed.replace("Origin: test", "Origin: evil").getBytes(StandardCharsets.UTF_8);
    ClearSignedMessage m = ClearSignedMessage.parse(altered, "InRelease");
    assertThatThrownBy(() -> trust(KEY, Sha1Policy.REJECT).verifyClearSigned(m, WHEN))
        .isInstanceOf(SignatureException.class)
        .hasMessageStartingWith("BAD signature by key " + KEY.fingerprint());
    assertThatThrownBy(
            () ->
                trust(KEY, Sha1Policy.REJECT)
                    .verifyDetached(
                        "Origin: evil\n".getBytes(StandardCharsets.UTF_8),
                        KEY.detachedSign(RELEASE, WHEN),
                        WHEN))
        .hasMessageStartingWith("BAD signature");
  }

  @Test
  void rejectsASignatureByAKeyNotInTheKeyring() throws Exception {
    ClearSignedMessage m = ClearSignedMessage.parse(OTHER.clearSign(RELEASE, WHEN), "InRelease");
    assertThatThrownBy(() -> trust(KEY, Sha1Policy.REJECT).verifyClearSigned(m, WHEN))
        .hasMessageStartingWith("signed only by key(s) not trusted here: " + OTHER.fingerprint())
        .hasMessageContaining("trusted: " + KEY.fingerprint());
  }

  @Test
  void appliesTheSha1BindingPolicy() throws Exception {
    ClearSignedMessage m = ClearSignedMessage.parse(SHA1_KEY.clearSign(RELEASE, WHEN), "InRelease");
    assertThatThrownBy(() -> trust(SHA1_KEY, Sha1Policy.REJECT).verifyClearSigned(m, WHEN))
        .hasMessageContaining("self-signature uses SHA-1 and the SHA-1 binding policy is REJECT");
    assertThat(
            trust(SHA1_KEY, Sha1Policy.ALLOW_FOR_BINDINGS)
                .verifyClearSigned(m, WHEN)
                .primaryFingerprint())
        .isEqualTo(SHA1_KEY.fingerprint());
  }

  @Test
  void insistsOnPinnedFingerprintsBeingInTheKeyring() {
    assertThatThrownBy(
            () ->
                TrustedKeys.fromBytes(
                    KEY.publicKeyArmored(),
                    "test.asc",
                    List.of(OTHER.fingerprint()),
                    Sha1Policy.REJECT))
        .isInstanceOf(KeyringException.class)
        .hasMessage("pinned key " + OTHER.fingerprint() + " is not in keyring test.asc");
    assertThatThrownBy(
            () ->
                TrustedKeys.fromBytes(
                    KEY.publicKeyArmored(), "test.asc", List.of("12AB"), Sha1Policy.REJECT))
        .hasMessage("pinned fingerprint '12AB' is not 40 or 64 hex digits");
    assertThatThrownBy(
            () ->
                TrustedKeys.fromBytes(
                    "not a key".getBytes(StandardCharsets.UTF_8),
                    "junk.asc",
                    List.of(),
                    Sha1Policy.REJECT))
        .hasMessage("keyring junk.asc holds no OpenPGP public key");
  }

  @Test
  void refusesUnsignedTextAroundTheSignedPart() throws Exception {
    String signed = new String(KEY.clearSign(RELEASE, WHEN), StandardCharsets.UTF_8);
    assertThatThrownBy(
            () ->
                ClearSignedMessage.parse(
                    ("Origin: evil\n" + signed).getBytes(StandardCharsets.UTF_8), "InRelease"))
        .hasMessageContaining("is not a clear-signed message");
    assertThatThrownBy(
            () ->
                ClearSignedMessage.parse(
                    (signed + "Origin: evil\n").getBytes(StandardCharsets.UTF_8), "InRelease"))
        .hasMessageContaining("text after the signature block is not allowed");
    String cut = signed.substring(0, signed.indexOf("-----END"));
    assertThatThrownBy(
            () -> ClearSignedMessage.parse(cut.getBytes(StandardCharsets.UTF_8), "InRelease"))
        .hasMessageContaining("signature block is not terminated");
  }
}
