package org.mirrordirector.ops.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The client-facing server. */
public record DirectorSection(
    String host,
    int port,
    List<String> roots,
    List<String> trustedProxies,
    List<Path> geoip,
    Path adminTokenFile,
    Duration lagWindow,
    List<String> fallbackMirrors,
    boolean serveLocally,
    int maxThreads,
    Duration drainTime,
    Duration holdFor,
    String accessLog,
    long accessLogMaxBytes,
    int accessLogKeep,
    boolean accessLogCompress) {}
