package org.mirrordirector.sync.probe;

/** What the last full answer for an InRelease URL was, for conditional requests. */
record CachedInRelease(String etag, String lastModified, String sha256, InReleaseVerdict verdict) {}
