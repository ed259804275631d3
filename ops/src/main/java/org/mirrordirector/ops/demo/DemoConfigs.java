package org.mirrordirector.ops.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mirrordirector.ops.common.Durations;

/**
 * The files the demo writes for its processes and for the drill: each node's and replica's
 * node.yaml, and demo.json.
 */
public final class DemoConfigs {
  private final Path dir;
  private final MotionSettings motionSettings;

  public DemoConfigs(Path dir, MotionSettings motion) {
    this.dir = dir;
    this.motionSettings = motion;
  }

  public String node(
      String id, int port, int rsyncPort, String zk, String upstream, Path keyring, Path token) {
    return "# written by mirrorctl demo\nnode:\n  id: "
        + id
        + "\n  data: "
        + dir.resolve(id)
        + "\n  address: 127.0.0.1:"
        + port
        + "\nzookeeper:\n  connect: "
        + zk
        + "\n  session-timeout: 4s\narchive:\n  upstream: "
        + upstream
        + "\n  suites: [bookworm]\n  components: "
        + (motionSettings == null ? "[main, contrib, non-free, rpi, firmware]" : "[main, rpi]")
        + "\n  keyring: "
        + keyring
        + "\n  sync-interval: 30s\n  min-free: 0\n"
        + (motionSettings == null || motionSettings.node().rsyncArgs().isEmpty()
            ? ""
            : "  rsync-args: ["
                + String.join(
                    ", ",
                    motionSettings.node().rsyncArgs().stream().map(a -> "\"" + a + "\"").toList())
                + "]\n")
        + "  rsync-host: 127.0.0.1\n  rsync-port: "
        + rsyncPort
        + "\ndirector:\n  host: 127.0.0.1\n  port: "
        + port
        + "\n  trusted-proxies: [127.0.0.1/32]\n  admin-token-file: "
        + token
        + "\n  drain-time: 2s\nprobe:\n  interval: "
        + (motionSettings == null ? "5s" : Durations.format(motionSettings.probeInterval()))
        + (motionSettings == null || motionSettings.recheckInterval() == null
            ? ""
            : "\n  recheck-interval: " + Durations.format(motionSettings.recheckInterval()))
        + "\n  timeout: 3s\n  confirmations: 1\n";
  }

  public String replica(
      String id,
      String region,
      int port,
      String zk,
      String writersRsync,
      Path keyring,
      String service) {
    return "# written by mirrorctl demo\nnode:\n  id: "
        + id
        + "\n  role: replica\n  region: "
        + region
        + "\n  data: "
        + dir.resolve(id)
        + "\n  address: 127.0.0.1:"
        + port
        + "\nzookeeper:\n  connect: "
        + zk
        + "\n  session-timeout: 4s\narchive:\n  upstream: "
        + writersRsync
        + "\n  suites: [bookworm]\n  components: "
        + (motionSettings == null ? "[main, contrib, non-free, rpi, firmware]" : "[main, rpi]")
        + "\n  keyring: "
        + keyring
        + "\n  sync-interval: 30s\n  min-free: 0\ndirector:\n  host: 127.0.0.1\n  port: "
        + port
        + "\n  trusted-proxies: [127.0.0.1/32]\n  fallback-mirrors: [\""
        + service
        + "raspbian/\"]\n  drain-time: 0s\n";
  }

  /** demo.json: where every part is, for the drill and for people (paths as plain strings). */
  public static String json(DemoLayout l) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dir", l.dir().toString());
    m.put("service", l.service());
    m.put("control", l.control());
    m.put("zookeeper", l.zookeeper());
    m.put("nodePorts", l.nodePorts());
    Map<String, String> configs = new LinkedHashMap<>();
    l.nodeConfigs().forEach((k, v) -> configs.put(k, v.toString()));
    m.put("nodeConfigs", configs);
    m.put("mirrors", l.mirrors());
    m.put("keyring", l.keyring().toString());
    m.put("token", l.token().toString());
    m.put("haproxy", l.haproxy());
    m.put("replicaPorts", l.replicaPorts());
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .writerWithDefaultPrettyPrinter()
        .writeValueAsString(m);
  }
}
