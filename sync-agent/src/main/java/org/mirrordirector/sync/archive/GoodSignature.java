package org.mirrordirector.sync.archive;

import java.time.Instant;

/**
 * A verified signature: the trusted primary key it belongs to, the key (primary or subkey) that
 * made it, when it was made and with which hash.
 */
public record GoodSignature(
    String primaryFingerprint, String signingFingerprint, Instant created, String hash) {}
