package org.mirrordirector.ops.demo;

import java.nio.file.Path;
import java.util.Map;

/** What a drill or a test needs to find the parts. */
public record DemoLayout(
    Path dir,
    String service,
    String zookeeper,
    Map<String, Integer> nodePorts,
    Map<String, Path> nodeConfigs,
    Map<String, String> mirrors,
    Path keyring,
    Path token,
    boolean haproxy,
    String control,
    Map<String, Integer> replicaPorts) {}
