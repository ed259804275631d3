package org.mirrordirector.ops.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.ops.common.Durations;

/**
 * Every key of a node's configuration file, with its type, its one default and its meaning: the
 * table that {@code --print-config}, {@code --check}, the example file and the parser all read.
 */
public final class NodeOptions {
  private NodeOptions() {}

  /** A configuration key: its type, its default (null when it must be given) and its meaning. */
  public record Option(String key, Type type, String defaultValue, String help) {}

  /** How a value is written and checked. */
  public enum Type {
    STRING,
    PATH,
    INT,
    BOOLEAN,
    DURATION,
    BYTES,
    LIST
  }

  /** Every option, grouped by section, with its one default. */
  public static final List<Option> ALL =
      List.of(
          new Option("node.id", Type.STRING, null, "this node's id in the registry, e.g. node-a"),
          new Option(
              "node.data",
              Type.PATH,
              "/var/lib/mirrordirector",
              "snapshots, the last-known-good registry view and the embedded ZooKeeper's data"),
          new Option(
              "node.address",
              Type.STRING,
              "",
              "how peers and operators reach this node's director (host:port); empty: the host"
                  + " name and director.port"),
          new Option(
              "node.role",
              Type.STRING,
              "writer",
              "writer: one of the pair that writes the registry (the active node or its hot"
                  + " spare); replica: a director in another region that only reads the registry,"
                  + " through a ZooKeeper observer there, and copies the indexes alone"),
          new Option(
              "node.region",
              Type.STRING,
              "",
              "a replica's region (e.g. ap-southeast), shown on every status page; empty for the"
                  + " writer pair"),
          new Option(
              "zookeeper.connect",
              Type.STRING,
              "",
              "the ensemble, e.g. zk1:2181,zk2:2181,zk3:2181; empty: an embedded single server"),
          new Option(
              "zookeeper.embedded-host",
              Type.STRING,
              "127.0.0.1",
              "where the embedded server listens"),
          new Option(
              "zookeeper.embedded-port", Type.INT, "2181", "the embedded server's client port"),
          new Option(
              "zookeeper.root",
              Type.STRING,
              RegistryPaths.DEFAULT_ROOT,
              "the registry's znode; nodes under the same root form one cluster"),
          new Option(
              "zookeeper.session-timeout",
              Type.DURATION,
              "4s",
              "the ZooKeeper session timeout: the standby takes over about this long after the"
                  + " primary is gone"),
          new Option(
              "zookeeper.connection-timeout",
              Type.DURATION,
              "3s",
              "how long one connection attempt may take"),
          new Option(
              "archive.upstream",
              Type.STRING,
              null,
              "the upstream archive's rsync module, rsync://host/module/ (or host::module/)"),
          new Option(
              "archive.name",
              Type.STRING,
              "",
              "the archive's name (mirrors --archive, sources --archive); empty: from its root,"
                  + " /raspbian/ is raspbian"),
          new Option("archive.suites", Type.LIST, null, "the suites to copy and verify"),
          new Option(
              "archive.components",
              Type.LIST,
              "[]",
              "the components copied, verified and put in sources entries; empty: all the Release"
                  + " lists"),
          new Option(
              "archive.architectures",
              Type.LIST,
              "[]",
              "a partial mirror's architectures, 'source' for source packages; empty: all and"
                  + " source"),
          new Option(
              "archive.languages",
              Type.LIST,
              "[all]",
              "the Translation-LANG files copied: [all], [] for none, or e.g. [en, de]"),
          new Option(
              "archive.extras",
              Type.LIST,
              "[contents, installer, dep11, pdiffs]",
              "indexes apt does not need that are copied: contents, installer, dep11, pdiffs, or []"),
          new Option(
              "archive.keyring",
              Type.PATH,
              null,
              "the OpenPGP keyring that signs the upstream's InRelease files"),
          new Option(
              "archive.fingerprints",
              Type.LIST,
              "[]",
              "trust only these primary keys of the keyring; empty: all of them"),
          new Option(
              "archive.sha1-bindings",
              Type.BOOLEAN,
              "false",
              "accept keys whose binding self-signatures use SHA-1 (Raspbian's key needs true)"),
          new Option("archive.keep", Type.INT, "3", "verified snapshots kept (1-100)"),
          new Option(
              "archive.sync-interval",
              Type.DURATION,
              "5m",
              "how often the upstream's InRelease files are compared with the current snapshot's"),
          new Option(
              "archive.rsync-timeout", Type.DURATION, "10m", "rsync's I/O timeout (--timeout)"),
          new Option(
              "archive.min-free",
              Type.BYTES,
              "1GiB",
              "free space that must remain after a sync; a run that would go below is refused"),
          new Option(
              "archive.rehash-period",
              Type.DURATION,
              "30d",
              "every pool file is read and hashed again within this period (a rolling re-hash"
                  + " that finds files changed on disk); 0s: every file on every sync"),
          new Option(
              "archive.rsync-args", Type.LIST, "[]", "extra rsync options, e.g. [--bwlimit=50m]"),
          new Option(
              "archive.rsync-host",
              Type.STRING,
              "0.0.0.0",
              "where this node's rsync daemon listens; the hot spare copies the active node's"
                  + " published tree from it"),
          new Option(
              "archive.rsync-port",
              Type.INT,
              "8730",
              "the rsync daemon's port; 0: no daemon (a single node without a spare)"),
          new Option(
              "archive.rsync-address",
              Type.STRING,
              "",
              "the host name the spare uses for this node's rsync daemon; empty: the host of"
                  + " node.address"),
          new Option("director.host", Type.STRING, "0.0.0.0", "where the director listens"),
          new Option("director.port", Type.INT, "8080", "the director's HTTP port"),
          new Option(
              "director.roots",
              Type.LIST,
              "[/raspbian/]",
              "the archive's paths on the director, each like /raspbian/"),
          new Option(
              "director.trusted-proxies",
              Type.LIST,
              "[]",
              "addresses or CIDR blocks whose X-Forwarded-For is believed (HAProxy, e.g."
                  + " 127.0.0.1/32)"),
          new Option(
              "director.geoip",
              Type.LIST,
              "[]",
              "MaxMind DB files (GeoLite2 or DB-IP: City, Country, ASN); empty: no location,"
                  + " mirrors ranked by weight"),
          new Option(
              "director.admin-token-file",
              Type.PATH,
              "",
              "a file holding the admin API's bearer token (16+ characters); empty: no admin API"),
          new Option(
              "director.lag-window",
              Type.DURATION,
              "0s",
              "a mirror at an older kept snapshot still gets InRelease requests for this long"),
          new Option(
              "director.fallback-mirrors",
              Type.LIST,
              "[]",
              "base URLs to redirect to when no probed mirror qualifies"),
          new Option(
              "director.serve-locally",
              Type.BOOLEAN,
              "true",
              "serve a file from this node's verified snapshot when no mirror qualifies"),
          new Option(
              "director.max-threads", Type.INT, "200", "threads for local file serving (8+)"),
          new Option(
              "director.drain-time",
              Type.DURATION,
              "2s",
              "on a clean stop, the director answers this long after giving up the leadership,"
                  + " while the load balancer moves clients to the new primary"),
          new Option(
              "director.hold-for",
              Type.DURATION,
              "15s",
              "a pool request that no mirror qualifies for and this node has no file for (a client"
                  + " ahead of the director) is held this long while the director learns where the"
                  + " file is; 0s: answer at once (max 2m)"),
          new Option(
              "director.access-log",
              Type.STRING,
              "",
              "one line per request (NCSA combined, then the mirror and why) to stdout or to this"
                  + " file (relative: under node.data), rotated daily and at access-log-max-size;"
                  + " empty: off"),
          new Option(
              "director.access-log-max-size",
              Type.BYTES,
              "100MiB",
              "an access log file is rotated when it reaches this size"),
          new Option(
              "director.access-log-keep",
              Type.INT,
              "14",
              "rotated access log files dated more than this many days before today (UTC) are"
                  + " deleted"),
          new Option(
              "director.access-log-compress",
              Type.BOOLEAN,
              "true",
              "gzip rotated access log files (zlib's fastest level, on a thread at nice 19)"),
          new Option("probe.interval", Type.DURATION, "60s", "time between probe rounds"),
          new Option(
              "probe.recheck-interval",
              Type.DURATION,
              "5s",
              "between rounds, a conditional GET of every mirror's InRelease this often; a mirror"
                  + " whose InRelease changed is probed at once (0s: off)"),
          new Option("probe.timeout", Type.DURATION, "10s", "timeout of each probe request"),
          new Option("probe.parallelism", Type.INT, "32", "mirrors probed at once"),
          new Option(
              "probe.sample-size",
              Type.INT,
              "5",
              "pool files new in a mirror's snapshot checked per probe"),
          new Option(
              "probe.confirmations",
              Type.INT,
              "2",
              "agreeing probes before a mirror's state changes"),
          new Option(
              "network.nat64-prefix",
              Type.STRING,
              "auto",
              "the NAT64 prefix through which this node reaches IPv4 (an IPv6-only host): auto"
                  + " (discovered through ipv4only.arpa, RFC 7050; none when not found), none, or"
                  + " a prefix such as 64:ff9b::/96. An address inside it counts as the mirror's"
                  + " IPv4, and each IPv4 address is also tried through it"),
          new Option(
              "network.connect-stagger",
              Type.DURATION,
              "250ms",
              "every outbound connection tries each address of a name, IPv6 first, the next"
                  + " after this long while earlier ones are pending (Happy Eyeballs, RFC 8305;"
                  + " 10ms..2s)"),
          new Option(
              "hooks.on-promote",
              Type.LIST,
              "[]",
              "a command (argv list) run when this node becomes active, with MD_EPOCH, MD_NODE"
                  + " and MD_ROLE set"),
          new Option(
              "hooks.on-demote",
              Type.LIST,
              "[]",
              "a command (argv list) run when this node stops being active"),
          new Option("hooks.timeout", Type.DURATION, "10s", "a hook running longer is killed"));

  /** The effective configuration as YAML, every key with its value and its meaning. */
  public static String describe(NodeConfig c) {
    NodeConfig.NodeSection node = c.node();
    NodeConfig.ZooKeeperSection zookeeper = c.zookeeper();
    NodeConfig.ArchiveSection archive = c.archive();
    NodeConfig.DirectorSection director = c.director();
    NodeConfig.ProbeSection probe = c.probe();
    NodeConfig.HooksSection hooks = c.hooks();
    NodeConfig.NetworkSection network = c.network();
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("node.id", node.id());
    values.put("node.data", node.data());
    values.put("node.address", node.address());
    values.put("node.role", node.kind().name().toLowerCase(java.util.Locale.ROOT));
    values.put("node.region", node.region() == null ? "" : node.region());
    values.put("zookeeper.connect", zookeeper.connect());
    values.put("zookeeper.embedded-host", zookeeper.embeddedHost());
    values.put("zookeeper.embedded-port", zookeeper.embeddedPort());
    values.put("zookeeper.root", zookeeper.root());
    values.put("zookeeper.session-timeout", zookeeper.sessionTimeout());
    values.put("zookeeper.connection-timeout", zookeeper.connectionTimeout());
    values.putAll(archiveValues(archive));
    values.put("archive.rsync-host", archive.rsyncHost());
    values.put("archive.rsync-port", archive.rsyncPort());
    values.put("archive.rsync-address", archive.rsyncAddress());
    values.put("director.host", director.host());
    values.put("director.port", director.port());
    values.put("director.roots", director.roots());
    values.put("director.trusted-proxies", director.trustedProxies());
    values.put("director.geoip", director.geoip());
    values.put(
        "director.admin-token-file",
        director.adminTokenFile() == null ? "" : director.adminTokenFile());
    values.put("director.lag-window", director.lagWindow());
    values.put("director.fallback-mirrors", director.fallbackMirrors());
    values.put("director.serve-locally", director.serveLocally());
    values.put("director.max-threads", director.maxThreads());
    values.put("director.drain-time", director.drainTime());
    values.put("director.hold-for", director.holdFor());
    values.put("director.access-log", director.accessLog());
    values.put("director.access-log-max-size", director.accessLogMaxBytes());
    values.put("director.access-log-keep", director.accessLogKeep());
    values.put("director.access-log-compress", director.accessLogCompress());
    values.put("probe.interval", probe.interval());
    values.put("probe.recheck-interval", probe.recheckInterval());
    values.put("probe.timeout", probe.timeout());
    values.put("probe.parallelism", probe.parallelism());
    values.put("probe.sample-size", probe.sampleSize());
    values.put("probe.confirmations", probe.confirmations());
    values.put("network.nat64-prefix", network.nat64Prefix());
    values.put("network.connect-stagger", network.connectStagger());
    values.put("hooks.on-promote", hooks.onPromote());
    values.put("hooks.on-demote", hooks.onDemote());
    values.put("hooks.timeout", hooks.timeout());
    StringBuilder sb = new StringBuilder("# effective configuration of " + c.file() + "\n");
    if (!c.moreArchives().isEmpty()) {
      sb.append(
          "# the further archives' keys are those of archive:, with their own name and root\n");
    }
    String section = "";
    for (Option o : ALL) {
      String s = o.key().substring(0, o.key().indexOf('.'));
      if (!s.equals(section)) {
        sb.append(s).append(":\n");
        section = s;
      }
      sb.append("  # ").append(o.help()).append('\n');
      sb.append("  ")
          .append(o.key().substring(s.length() + 1))
          .append(": ")
          .append(render(values.get(o.key())))
          .append('\n');
    }
    if (!c.moreArchives().isEmpty()) {
      sb.append("archives:\n");
      for (NodeConfig.ArchiveSection more : c.moreArchives()) {
        String dash = "  - ";
        sb.append(dash).append("root: ").append(render(more.roots().get(0))).append('\n');
        for (Map.Entry<String, Object> e : archiveValues(more).entrySet()) {
          sb.append("    ")
              .append(e.getKey().substring("archive.".length()))
              .append(": ")
              .append(render(e.getValue()))
              .append('\n');
        }
      }
    }
    return sb.toString();
  }

  /** The keys an archive has of its own (the rsync daemon's are the node's). */
  public static Map<String, Object> archiveValues(NodeConfig.ArchiveSection archive) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("archive.name", archive.name());
    values.put("archive.upstream", archive.upstream());
    values.put("archive.suites", archive.suites());
    values.put("archive.components", archive.selection().components());
    values.put("archive.architectures", archive.selection().architectures());
    values.put(
        "archive.languages",
        archive.selection().languages().map(l -> (Object) l).orElse(List.of("all")));
    values.put(
        "archive.extras",
        archive.selection().extras().stream()
            .map(e -> e.name().toLowerCase(java.util.Locale.ROOT))
            .sorted()
            .toList());
    values.put("archive.keyring", archive.keyring());
    values.put("archive.fingerprints", archive.fingerprints());
    values.put("archive.sha1-bindings", archive.sha1Bindings());
    values.put("archive.keep", archive.keep());
    values.put("archive.sync-interval", archive.syncInterval());
    values.put("archive.rsync-timeout", archive.rsyncTimeout());
    values.put("archive.min-free", archive.minFreeBytes());
    values.put("archive.rehash-period", archive.rehashPeriod());
    values.put("archive.rsync-args", archive.rsyncArgs());
    return values;
  }

  private static String render(Object v) {
    if (v instanceof Duration d) {
      return Durations.format(d);
    }
    if (v instanceof List<?> l) {
      List<String> parts = new ArrayList<>();
      for (Object o : l) {
        parts.add(quote(String.valueOf(o)));
      }
      return "[" + String.join(", ", parts) + "]";
    }
    return quote(String.valueOf(v));
  }

  private static String quote(String s) {
    if (s.isEmpty() || !s.matches("[A-Za-z0-9/._:@+=-][A-Za-z0-9/._:@+=, -]*")) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    return s;
  }
}
