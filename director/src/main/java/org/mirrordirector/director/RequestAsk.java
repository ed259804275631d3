package org.mirrordirector.director;

import java.util.Optional;

/**
 * One request, as every mirror is checked against it.
 *
 * @param current the current InRelease of the path's suite, if it has one
 * @param currentLearned whether this director knows that snapshot's files (looked up once per
 *     request, not once per mirror)
 * @param holders for pool and by-hash paths, the {@link FileKnowledge#bit}s of the snapshots that
 *     list the file or hash
 */
record RequestAsk(
    RequestPath path,
    String scheme,
    ClientLocation client,
    Optional<String> current,
    FileKnowledge files,
    long now,
    long holders,
    boolean currentLearned) {}
