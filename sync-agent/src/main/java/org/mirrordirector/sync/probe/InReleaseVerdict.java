package org.mirrordirector.sync.probe;

import java.time.Instant;

/** What an unknown InRelease turned out to be: a problem, or its Date. */
record InReleaseVerdict(String problem, Instant date) {}
