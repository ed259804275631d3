package org.mirrordirector.ops.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mirrordirector.director.TrustedProxies;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.sync.SyncConfig;
import org.mirrordirector.sync.archive.Selection;

/**
 * A node's sections built from the values of its file ({@link NodeConfigValues}), with the rules
 * that span keys: the address from the director's host and port, the archives' roots and names
 * unique, what a replica cannot have ({@link NodeRoleRules}), ports that must differ.
 */
final class NodeConfigBuilder {
  private final NodeConfigValues v;

  NodeConfigBuilder(NodeConfigValues v) {
    this.v = v;
  }

  NodeConfig build() {
    String id = v.string("node.id");
    v.check("node.id", () -> RegistryPaths.requireId("node", id));
    Path data = v.path("node.data");
    if (data == null) {
      throw v.fail("node.data", "must name a directory");
    }
    int port = v.integer("director.port", 1, 65535);
    String host = v.bindHost("director.host");
    String address = v.string("node.address");
    if (address.isEmpty()) {
      address = (host.equals("0.0.0.0") || host.equals("::") ? localHost() : host) + ":" + port;
    } else if (!address.matches("[A-Za-z0-9.:\\[\\]-]+:\\d{1,5}")) {
      throw v.fail("node.address", "must be host:port, not '" + address + "'");
    } else {
      v.hostPort("node.address", address);
    }
    NodeKind kind = NodeRoleRules.kind(v);
    boolean replica = kind == NodeKind.REPLICA;
    String region = NodeRoleRules.region(v, replica);
    NodeSection node = new NodeSection(id, data, address, kind, region);

    String connect = v.string("zookeeper.connect");
    if (!connect.isEmpty() && !connect.matches("[A-Za-z0-9.\\[\\]:,_-]+(/[A-Za-z0-9/_.-]*)?")) {
      throw v.fail("zookeeper.connect", "must be host:port[,host:port...], not '" + connect + "'");
    }
    if (!connect.isEmpty()) {
      for (String hp : connect.replaceFirst("/.*$", "").split(",")) {
        v.hostPort("zookeeper.connect", hp);
      }
    }
    Duration session = v.duration("zookeeper.session-timeout", Duration.ofSeconds(1));
    ZooKeeperSection zk =
        new ZooKeeperSection(
            connect,
            v.bindHost("zookeeper.embedded-host"),
            v.integer("zookeeper.embedded-port", 1, 65535),
            v.check("zookeeper.root", () -> new RegistryPaths(v.string("zookeeper.root")).root()),
            session,
            v.duration("zookeeper.connection-timeout", Duration.ofMillis(100)));

    List<String> roots = v.list("director.roots");
    if (roots.isEmpty()) {
      throw v.fail("director.roots", "must name at least one root, e.g. [/raspbian/]");
    }
    for (String r : roots) {
      if (!r.matches("/([A-Za-z0-9._-]+/)*")) {
        throw v.fail("director.roots", "'" + r + "' must look like /raspbian/ (slashes around)");
      }
    }
    int rsyncPort = v.integer("archive.rsync-port", 0, 65535);
    rsyncPort = NodeRoleRules.rsyncPort(v, replica, rsyncPort);
    String rsyncAddress = v.string("archive.rsync-address");
    if (rsyncAddress.isEmpty()) {
      rsyncAddress = address.substring(0, address.lastIndexOf(':'));
    }
    ArchiveSection archive =
        archiveSection(roots, v.bindHost("archive.rsync-host"), rsyncPort, rsyncAddress);
    List<ArchiveSection> more = new ArrayList<>();
    java.util.Map<String, String> rootOwner = new java.util.HashMap<>();
    java.util.Set<String> names = new java.util.HashSet<>(List.of(archive.name()));
    for (String r : roots) {
      rootOwner.put(r, archive.name());
    }
    for (int i = 0; i < v.archiveEntries().size(); i++) {
      ArchiveSection m = moreArchive(i, v.archiveEntries().get(i), archive);
      String at = "archives[" + i + "]";
      String owner = rootOwner.putIfAbsent(m.roots().get(0), m.name());
      if (owner != null) {
        throw v.failAt(
            at + ".root",
            at,
            "'"
                + m.roots().get(0)
                + "' is already the root of archive "
                + owner
                + "; two archives cannot have one root");
      }
      if (!names.add(m.name())) {
        throw v.failAt(at + ".name", at, "'" + m.name() + "' names two archives");
      }
      more.add(m);
    }

    List<String> proxies = v.list("director.trusted-proxies");
    v.check("director.trusted-proxies", () -> TrustedProxies.parse(proxies));
    List<Path> geoip = new ArrayList<>();
    for (String g : v.list("director.geoip")) {
      Path p = Path.of(g);
      if (!p.isAbsolute() && v.file().getParent() != null) {
        p = v.file().toAbsolutePath().getParent().resolve(p);
      }
      if (!Files.isReadable(p)) {
        throw v.fail("director.geoip", "cannot read " + p);
      }
      geoip.add(p);
    }
    Path token = v.path("director.admin-token-file");
    if (token != null && !Files.isReadable(token)) {
      throw v.fail("director.admin-token-file", "cannot read " + token);
    }
    List<String> fallbacks = v.list("director.fallback-mirrors");
    for (String u : fallbacks) {
      if (!u.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
        throw v.fail("director.fallback-mirrors", "'" + u + "' is not an http(s) base URL");
      }
    }
    DirectorSection director =
        new DirectorSection(
            host,
            port,
            roots,
            proxies,
            List.copyOf(geoip),
            token,
            v.duration("director.lag-window", Duration.ZERO),
            fallbacks,
            // A replica holds no pool: what no mirror qualifies for goes to the writer pair.
            v.bool("director.serve-locally") && !replica,
            v.integer("director.max-threads", 8, 10_000),
            v.duration("director.drain-time", Duration.ZERO),
            v.duration("director.hold-for", Duration.ZERO),
            v.string("director.access-log").strip(),
            v.bytes("director.access-log-max-size"),
            v.integer("director.access-log-keep", 1, 3650),
            v.bool("director.access-log-compress"));
    if (director.accessLogMaxBytes() < 1024 * 1024) {
      throw v.fail(
          "director.access-log-max-size",
          "must be at least 1MiB, not " + v.string("director.access-log-max-size"));
    }
    if (replica) {
      NodeRoleRules.check(v, zk, director);
    }
    if (director.holdFor().compareTo(Duration.ofMinutes(2)) > 0) {
      throw v.fail("director.hold-for", "must be at most 2m, not " + v.string("director.hold-for"));
    }

    ProbeSection probe =
        new ProbeSection(
            v.duration("probe.interval", Duration.ofSeconds(1)),
            v.duration("probe.recheck-interval", Duration.ZERO),
            v.duration("probe.timeout", Duration.ofMillis(100)),
            v.integer("probe.parallelism", 1, 1024),
            v.integer("probe.sample-size", 0, 1000),
            v.integer("probe.confirmations", 1, 100),
            v.duration("probe.reach-interval", Duration.ZERO),
            v.duration("probe.reach-timeout", Duration.ofMillis(10)));
    if (!probe.reachInterval().isZero()
        && probe.reachInterval().compareTo(Duration.ofMillis(100)) < 0) {
      throw v.fail(
          "probe.reach-interval",
          "must be 0s (off) or at least 100ms, not " + v.string("probe.reach-interval"));
    }
    if (probe.reachTimeout().compareTo(probe.timeout()) > 0) {
      throw v.fail(
          "probe.reach-timeout",
          "must be at most probe.timeout ("
              + v.string("probe.timeout")
              + "), not "
              + v.string("probe.reach-timeout"));
    }
    HooksSection hooks =
        new HooksSection(
            v.list("hooks.on-promote"),
            v.list("hooks.on-demote"),
            v.duration("hooks.timeout", Duration.ofMillis(100)));
    if (zk.sessionTimeout().compareTo(Duration.ofSeconds(1)) < 0) {
      throw v.fail("zookeeper.session-timeout", "must be at least 1s");
    }
    if (zk.embedded() && rsyncPort != 0 && rsyncPort == zk.embeddedPort()) {
      throw v.fail("archive.rsync-port", "is also zookeeper.embedded-port (" + rsyncPort + ")");
    }
    if (rsyncPort != 0 && rsyncPort == port) {
      throw v.fail("archive.rsync-port", "is also director.port (" + port + ")");
    }
    String nat64 = v.string("network.nat64-prefix");
    if (!nat64.equals("auto") && !nat64.equals("none")) {
      v.check("network.nat64-prefix", () -> org.mirrordirector.failover.net.Nat64.parse(nat64));
    }
    Duration stagger = v.duration("network.connect-stagger", Duration.ofMillis(10));
    if (stagger.compareTo(Duration.ofSeconds(2)) > 0) {
      throw v.fail(
          "network.connect-stagger",
          "must be at most 2s, not " + v.string("network.connect-stagger"));
    }
    NetworkSection network = new NetworkSection(nat64, stagger);
    return new NodeConfig(
        v.file(), node, zk, archive, director, probe, hooks, List.copyOf(more), network);
  }

  /** The archive keys of the file (or of one entry of archives:), checked. */
  private ArchiveSection archiveSection(
      List<String> roots, String rsyncHost, int rsyncPort, String rsyncAddress) {
    String upstream = v.string("archive.upstream");
    if (upstream.startsWith("rsync://")) {
      String authority = upstream.substring(8).replaceFirst("/.*$", "");
      v.hostPort(
          "archive.upstream",
          authority.contains(":") || authority.contains("[") ? authority : authority + ":873");
    }
    v.check("archive.upstream", () -> SyncConfig.checkUpstream(upstream));
    List<String> suites = v.list("archive.suites");
    if (suites.isEmpty()) {
      throw v.fail("archive.suites", "must name at least one suite");
    }
    for (String s : suites) {
      if (!s.matches("[A-Za-z0-9][A-Za-z0-9.+_-]*")) {
        throw v.fail("archive.suites", "'" + s + "' is not a suite name");
      }
    }
    Selection selection = v.selection();
    Path keyring = v.path("archive.keyring");
    if (keyring == null) {
      throw v.fail(
          "archive.keyring",
          "is required (" + NodeOptions.BY_KEY.get("archive.keyring").help() + ")");
    }
    if (!Files.isReadable(keyring)) {
      throw v.fail("archive.keyring", "cannot read " + keyring);
    }
    String name = v.string("archive.name");
    if (name.isEmpty()) {
      name = nameOf(roots.get(0));
    }
    String checkedName = name;
    v.check("archive.name", () -> RegistryPaths.requireId("archive", checkedName));
    return new ArchiveSection(
        name,
        roots,
        upstream,
        suites,
        selection,
        keyring,
        v.list("archive.fingerprints"),
        v.bool("archive.sha1-bindings"),
        v.integer("archive.keep", 1, 100),
        v.duration("archive.sync-interval", Duration.ofSeconds(1)),
        v.duration("archive.rsync-timeout", Duration.ofSeconds(1)),
        v.bytes("archive.min-free"),
        v.duration("archive.rehash-period", Duration.ZERO),
        v.list("archive.rsync-args"),
        rsyncHost,
        rsyncPort,
        rsyncAddress);
  }

  /** The name an archive has when none is given: its root's last segment ("archive" for /). */
  public static String nameOf(String root) {
    String[] parts = root.split("/");
    return parts.length == 0 ? "archive" : parts[parts.length - 1];
  }

  private static String localHost() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  /** One entry of archives:, checked with the keys of archive: plus its root. */
  private ArchiveSection moreArchive(int index, JsonNode e, ArchiveSection first) {
    NodeConfigValues entry = v.entry(index, e);
    return new NodeConfigBuilder(entry)
        .archiveSection(
            List.of(entry.entryRoot()), first.rsyncHost(), first.rsyncPort(), first.rsyncAddress());
  }
}
