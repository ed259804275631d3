package org.mirrordirector.sync.archive;

/** A file in the pool that an index promises: its archive-relative path, size and SHA-256. */
public record PoolFile(String path, long size, String sha256) {}
