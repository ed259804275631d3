package org.mirrordirector.sync.archive;

/** What the check found (null: nothing wrong) and how many bytes it hashed. */
record PoolFileResult(Problem problem, long hashed) {}
