package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A suite's Release, read as apt reads it and trusted only through a good signature: InRelease
 * (clear-signed) when there is one, with Release and Release.gpg checked against it when present;
 * otherwise Release with its detached Release.gpg. Every problem is reported to the verifier's
 * list; {@link #text()} is then null.
 */
final class SignedRelease {
  private static final int MAX_RELEASE_BYTES = 64 << 20;

  private final ArchiveSource src;
  private final String dists;
  private final TrustedKeys keys;
  private final Instant now;
  private final Consumer<Problem> problems;
  private Optional<SnapshotId> snapshot = Optional.empty();
  private Optional<GoodSignature> signature = Optional.empty();
  private byte[] text;

  private SignedRelease(
      ArchiveSource src, String dists, TrustedKeys keys, Instant now, Consumer<Problem> problems) {
    this.src = src;
    this.dists = dists;
    this.keys = keys;
    this.now = now;
    this.problems = problems;
  }

  /**
   * Reads and checks {@code dists} ("dists/SUITE/") of {@code src}, judging signatures at {@code
   * now}.
   */
  static SignedRelease read(
      ArchiveSource src, String dists, TrustedKeys keys, Instant now, Consumer<Problem> problems) {
    SignedRelease r = new SignedRelease(src, dists, keys, now, problems);
    r.text = r.readSignedRelease();
    return r;
  }

  /** The signed Release text, or null when it cannot be trusted (the problems say why). */
  byte[] text() {
    return text;
  }

  /** The snapshot's identity (from InRelease, or Release), when the suite has one. */
  Optional<SnapshotId> snapshot() {
    return snapshot;
  }

  /** The good signature found, if any. */
  Optional<GoodSignature> signature() {
    return signature;
  }

  /** The Release text that a trusted signature covers, or null after reporting why not. */
  private byte[] readSignedRelease() {
    Optional<byte[]> inRelease = fetchSmall(dists + "InRelease");
    Optional<byte[]> plain = fetchSmall(dists + "Release");
    Optional<byte[]> detached = fetchSmall(dists + "Release.gpg");
    if (inRelease == null || plain == null || detached == null) {
      return null; // a fetch problem was reported
    }
    if (inRelease.isPresent()) {
      snapshot = Optional.of(SnapshotId.ofInRelease(inRelease.get()));
      byte[] text;
      try {
        ClearSignedMessage msg = ClearSignedMessage.parse(inRelease.get(), dists + "InRelease");
        signature = Optional.of(keys.verifyClearSigned(msg, now));
        text = msg.signedText();
      } catch (ArchiveFormatException e) {
        problems.accept(Problem.of(ProblemKind.SIGNATURE, dists + "InRelease", e.getMessage()));
        return null;
      } catch (SignatureException e) {
        problems.accept(Problem.of(ProblemKind.SIGNATURE, dists + "InRelease", e.getMessage()));
        return null;
      }
      if (plain.isPresent() && !Arrays.equals(plain.get(), text)) {
        problems.accept(
            new Problem(
                ProblemKind.RELEASE,
                dists + "Release",
                "Release and the signed text of InRelease disagree",
                "sha256 " + Sha256.hex(text),
                "sha256 " + Sha256.hex(plain.get())));
      }
      if (plain.isPresent() && detached.isPresent()) {
        checkDetached(plain.get(), detached.get());
      }
      return text;
    }
    if (plain.isEmpty()) {
      problems.accept(
          Problem.of(
              ProblemKind.SIGNATURE,
              dists,
              "has neither InRelease nor Release (wrong suite name?)"));
      return null;
    }
    if (detached.isEmpty()) {
      problems.accept(
          Problem.of(
              ProblemKind.SIGNATURE,
              dists + "Release",
              "has no InRelease and no Release.gpg: unsigned"));
      return null;
    }
    snapshot = Optional.of(SnapshotId.ofInRelease(plain.get()));
    return checkDetached(plain.get(), detached.get()) ? plain.get() : null;
  }

  private boolean checkDetached(byte[] data, byte[] sig) {
    try {
      GoodSignature g = keys.verifyDetached(data, sig, now);
      if (signature.isEmpty()) {
        signature = Optional.of(g);
      }
      return true;
    } catch (SignatureException e) {
      problems.accept(Problem.of(ProblemKind.SIGNATURE, dists + "Release.gpg", e.getMessage()));
      return false;
    }
  }

  /** The file, empty when absent, or null after reporting a fetch failure. */
  private Optional<byte[]> fetchSmall(String path) {
    try {
      return src.readSmall(path, MAX_RELEASE_BYTES);
    } catch (ArchiveFormatException e) {
      problems.accept(Problem.of(ProblemKind.RELEASE, path, e.getMessage()));
      return null;
    } catch (IOException e) {
      problems.accept(Problem.of(ProblemKind.FETCH, path, String.valueOf(e.getMessage())));
      return null;
    }
  }
}
