package org.mirrordirector.ops.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.mirrordirector.sync.archive.Selection;

/**
 * The upstream archive, what of it is copied and verified (the selection: all of it, or a partial
 * mirror's components, architectures, languages and extras), and the node's own rsync module.
 */
public record ArchiveSection(
    String name,
    List<String> roots,
    String upstream,
    List<String> suites,
    Selection selection,
    Path keyring,
    List<String> fingerprints,
    boolean sha1Bindings,
    int keep,
    Duration syncInterval,
    Duration rsyncTimeout,
    long minFreeBytes,
    Duration rehashPeriod,
    List<String> rsyncArgs,
    String rsyncHost,
    int rsyncPort,
    String rsyncAddress) {}
