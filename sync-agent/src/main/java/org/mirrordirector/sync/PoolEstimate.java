package org.mirrordirector.sync;

import java.util.Map;

/**
 * The estimate: new pool bytes and files, the indexes it was read from, and every listed pool file
 * with its size (what the snapshot will hold once verified: the next run's {@code known}).
 */
record PoolEstimate(long bytes, int files, int indexesRead, Map<String, Long> listing) {}
