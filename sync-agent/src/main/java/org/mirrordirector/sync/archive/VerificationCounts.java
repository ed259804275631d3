package org.mirrordirector.sync.archive;

/** How much the verifier read. */
public record VerificationCounts(
    int indexFiles,
    long indexBytes,
    long packages,
    long sources,
    long poolFiles,
    long poolBytes,
    long poolBytesHashed) {}
