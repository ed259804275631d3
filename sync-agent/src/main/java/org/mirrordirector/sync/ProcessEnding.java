package org.mirrordirector.sync;

/**
 * How a run ended: the tool's exit code (-1 when it ran past its limit and was killed), and whether
 * copies of it that outlived it were killed.
 */
record ProcessEnding(int exitCode, boolean timedOut, boolean orphansKilled) {}
