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

  /** Every option, grouped by section, with its one default. */
  public static final List<ConfigOption> ALL =
      List.of(
          new ConfigOption(
              "node.id", OptionType.STRING, null, "this node's id in the registry, e.g. node-a"),
          new ConfigOption(
              "node.data",
              OptionType.PATH,
              "/var/lib/mirrordirector",
              "snapshots, the last-known-good registry view and the embedded ZooKeeper's data"),
          new ConfigOption(
              "node.address",
              OptionType.STRING,
              "",
              "how peers and operators reach this node's director (host:port); empty: the host"
                  + " name and director.port"),
          new ConfigOption(
              "node.role",
              OptionType.STRING,
              "writer",
              "writer: one of the pair that writes the registry (the active node or its hot"
                  + " spare); replica: a director in another region that only reads the registry,"
                  + " through a ZooKeeper observer there, and copies the indexes alone"),
          new ConfigOption(
              "node.region",
              OptionType.STRING,
              "",
              "a replica's region (e.g. ap-southeast), shown on every status page; empty for the"
                  + " writer pair"),
          new ConfigOption(
              "zookeeper.connect",
              OptionType.STRING,
              "",
              "the ensemble, e.g. zk1:2181,zk2:2181,zk3:2181; empty: an embedded single server"),
          new ConfigOption(
              "zookeeper.embedded-host",
              OptionType.STRING,
              "127.0.0.1",
              "where the embedded server listens"),
          new ConfigOption(
              "zookeeper.embedded-port",
              OptionType.INT,
              "2181",
              "the embedded server's client port"),
          new ConfigOption(
              "zookeeper.root",
              OptionType.STRING,
              RegistryPaths.DEFAULT_ROOT,
              "the registry's znode; nodes under the same root form one cluster"),
          new ConfigOption(
              "zookeeper.session-timeout",
              OptionType.DURATION,
              "4s",
              "the ZooKeeper session timeout: the standby takes over about this long after the"
                  + " primary is gone"),
          new ConfigOption(
              "zookeeper.connection-timeout",
              OptionType.DURATION,
              "3s",
              "how long one connection attempt may take"),
          new ConfigOption(
              "archive.upstream",
              OptionType.STRING,
              null,
              "the upstream archive's rsync module, rsync://host/module/ (or host::module/)"),
          new ConfigOption(
              "archive.name",
              OptionType.STRING,
              "",
              "the archive's name (mirrors --archive, sources --archive); empty: from its root,"
                  + " /raspbian/ is raspbian"),
          new ConfigOption(
              "archive.suites", OptionType.LIST, null, "the suites to copy and verify"),
          new ConfigOption(
              "archive.components",
              OptionType.LIST,
              "[]",
              "the components copied, verified and put in sources entries; empty: all the Release"
                  + " lists"),
          new ConfigOption(
              "archive.architectures",
              OptionType.LIST,
              "[]",
              "a partial mirror's architectures, 'source' for source packages; empty: all and"
                  + " source"),
          new ConfigOption(
              "archive.languages",
              OptionType.LIST,
              "[all]",
              "the Translation-LANG files copied: [all], [] for none, or e.g. [en, de]"),
          new ConfigOption(
              "archive.extras",
              OptionType.LIST,
              "[contents, installer, dep11, pdiffs]",
              "indexes apt does not need that are copied: contents, installer, dep11, pdiffs, or []"),
          new ConfigOption(
              "archive.keyring",
              OptionType.PATH,
              null,
              "the OpenPGP keyring that signs the upstream's InRelease files"),
          new ConfigOption(
              "archive.fingerprints",
              OptionType.LIST,
              "[]",
              "trust only these primary keys of the keyring; empty: all of them"),
          new ConfigOption(
              "archive.sha1-bindings",
              OptionType.BOOLEAN,
              "false",
              "accept keys whose binding self-signatures use SHA-1 (Raspbian's key needs true)"),
          new ConfigOption("archive.keep", OptionType.INT, "3", "verified snapshots kept (1-100)"),
          new ConfigOption(
              "archive.sync-interval",
              OptionType.DURATION,
              "5m",
              "how often the upstream's InRelease files are compared with the current snapshot's"),
          new ConfigOption(
              "archive.rsync-timeout",
              OptionType.DURATION,
              "10m",
              "rsync's I/O timeout (--timeout)"),
          new ConfigOption(
              "archive.min-free",
              OptionType.BYTES,
              "1GiB",
              "free space that must remain after a sync; a run that would go below is refused"),
          new ConfigOption(
              "archive.rehash-period",
              OptionType.DURATION,
              "30d",
              "every pool file is read and hashed again within this period (a rolling re-hash"
                  + " that finds files changed on disk); 0s: every file on every sync"),
          new ConfigOption(
              "archive.rsync-args",
              OptionType.LIST,
              "[]",
              "extra rsync options, e.g. [--bwlimit=50m]"),
          new ConfigOption(
              "archive.rsync-host",
              OptionType.STRING,
              "0.0.0.0",
              "where this node's rsync daemon listens; the hot spare copies the active node's"
                  + " published tree from it"),
          new ConfigOption(
              "archive.rsync-port",
              OptionType.INT,
              "8730",
              "the rsync daemon's port; 0: no daemon (a single node without a spare)"),
          new ConfigOption(
              "archive.rsync-address",
              OptionType.STRING,
              "",
              "the host name the spare uses for this node's rsync daemon; empty: the host of"
                  + " node.address"),
          new ConfigOption(
              "director.host", OptionType.STRING, "0.0.0.0", "where the director listens"),
          new ConfigOption("director.port", OptionType.INT, "8080", "the director's HTTP port"),
          new ConfigOption(
              "director.roots",
              OptionType.LIST,
              "[/raspbian/]",
              "the archive's paths on the director, each like /raspbian/"),
          new ConfigOption(
              "director.trusted-proxies",
              OptionType.LIST,
              "[]",
              "addresses or CIDR blocks whose X-Forwarded-For is believed (HAProxy, e.g."
                  + " 127.0.0.1/32)"),
          new ConfigOption(
              "director.geoip",
              OptionType.LIST,
              "[]",
              "MaxMind DB files (GeoLite2 or DB-IP: City, Country, ASN); empty: no location,"
                  + " mirrors ranked by weight"),
          new ConfigOption(
              "director.admin-token-file",
              OptionType.PATH,
              "",
              "a file holding the admin API's bearer token (16+ characters); empty: no admin API"),
          new ConfigOption(
              "director.lag-window",
              OptionType.DURATION,
              "0s",
              "a mirror at an older kept snapshot still gets InRelease requests for this long"),
          new ConfigOption(
              "director.fallback-mirrors",
              OptionType.LIST,
              "[]",
              "base URLs to redirect to when no probed mirror qualifies"),
          new ConfigOption(
              "director.serve-locally",
              OptionType.BOOLEAN,
              "true",
              "serve a file from this node's verified snapshot when no mirror qualifies"),
          new ConfigOption(
              "director.max-threads", OptionType.INT, "200", "threads for local file serving (8+)"),
          new ConfigOption(
              "director.drain-time",
              OptionType.DURATION,
              "2s",
              "on a clean stop, the director answers this long after giving up the leadership,"
                  + " while the load balancer moves clients to the new primary"),
          new ConfigOption(
              "director.hold-for",
              OptionType.DURATION,
              "15s",
              "a pool request that no mirror qualifies for and this node has no file for (a client"
                  + " ahead of the director) is held this long while the director learns where the"
                  + " file is; 0s: answer at once (max 2m)"),
          new ConfigOption(
              "director.access-log",
              OptionType.STRING,
              "",
              "one line per request (NCSA combined, then the mirror and why) to stdout or to this"
                  + " file (relative: under node.data), rotated daily and at access-log-max-size;"
                  + " empty: off"),
          new ConfigOption(
              "director.access-log-max-size",
              OptionType.BYTES,
              "100MiB",
              "an access log file is rotated when it reaches this size"),
          new ConfigOption(
              "director.access-log-keep",
              OptionType.INT,
              "14",
              "rotated access log files dated more than this many days before today (UTC) are"
                  + " deleted"),
          new ConfigOption(
              "director.access-log-compress",
              OptionType.BOOLEAN,
              "true",
              "gzip rotated access log files (zlib's fastest level, on a thread at nice 19)"),
          new ConfigOption(
              "probe.interval", OptionType.DURATION, "60s", "time between probe rounds"),
          new ConfigOption(
              "probe.recheck-interval",
              OptionType.DURATION,
              "5s",
              "between rounds, a conditional GET of every mirror's InRelease this often; a mirror"
                  + " whose InRelease changed is probed at once (0s: off)"),
          new ConfigOption(
              "probe.timeout", OptionType.DURATION, "10s", "timeout of each probe request"),
          new ConfigOption("probe.parallelism", OptionType.INT, "32", "mirrors probed at once"),
          new ConfigOption(
              "probe.sample-size",
              OptionType.INT,
              "5",
              "pool files new in a mirror's snapshot checked per probe"),
          new ConfigOption(
              "probe.confirmations",
              OptionType.INT,
              "2",
              "agreeing probes before a mirror's state changes"),
          new ConfigOption(
              "probe.reach-interval",
              OptionType.DURATION,
              "1s",
              "the quick check: one kept-alive connection per mirror and a GET of 4 KiB this"
                  + " often; a mirror that refuses, resets, does not answer or stalls after its"
                  + " headers leaves routing at once, before"
                  + " the probes confirm it DOWN, and returns after confirmations answers (0s:"
                  + " off)"),
          new ConfigOption(
              "probe.reach-timeout",
              OptionType.DURATION,
              "500ms",
              "the least wait for the quick check's answer; a mirror's own wait is three times"
                  + " its slowest recent answer, up to probe.timeout"),
          new ConfigOption(
              "network.nat64-prefix",
              OptionType.STRING,
              "auto",
              "the NAT64 prefix through which this node reaches IPv4 (an IPv6-only host): auto"
                  + " (discovered through ipv4only.arpa, RFC 7050; none when not found), none, or"
                  + " a prefix such as 64:ff9b::/96. An address inside it counts as the mirror's"
                  + " IPv4, and each IPv4 address is also tried through it"),
          new ConfigOption(
              "network.connect-stagger",
              OptionType.DURATION,
              "250ms",
              "every outbound connection tries each address of a name, IPv6 first, the next"
                  + " after this long while earlier ones are pending (Happy Eyeballs, RFC 8305;"
                  + " 10ms..2s)"),
          new ConfigOption(
              "hooks.on-promote",
              OptionType.LIST,
              "[]",
              "a command (argv list) run when this node becomes active, with MD_EPOCH, MD_NODE"
                  + " and MD_ROLE set"),
          new ConfigOption(
              "hooks.on-demote",
              OptionType.LIST,
              "[]",
              "a command (argv list) run when this node stops being active"),
          new ConfigOption(
              "hooks.timeout", OptionType.DURATION, "10s", "a hook running longer is killed"));

  /** {@link #ALL} by key. */
  public static final Map<String, ConfigOption> BY_KEY = byKey();

  private static Map<String, ConfigOption> byKey() {
    Map<String, ConfigOption> m = new java.util.LinkedHashMap<>();
    for (ConfigOption o : ALL) {
      m.put(o.key(), o);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** The effective configuration as YAML, every key with its value and its meaning. */
  public static String describe(NodeConfig c) {
    NodeSection node = c.node();
    ZooKeeperSection zookeeper = c.zookeeper();
    ArchiveSection archive = c.archive();
    DirectorSection director = c.director();
    ProbeSection probe = c.probe();
    HooksSection hooks = c.hooks();
    NetworkSection network = c.network();
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
    values.put("probe.reach-interval", probe.reachInterval());
    values.put("probe.reach-timeout", probe.reachTimeout());
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
    for (ConfigOption o : ALL) {
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
      for (ArchiveSection more : c.moreArchives()) {
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
  public static Map<String, Object> archiveValues(ArchiveSection archive) {
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
