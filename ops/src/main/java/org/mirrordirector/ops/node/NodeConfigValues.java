package org.mirrordirector.ops.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mirrordirector.director.TrustedProxies;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.ops.common.Durations;
import org.mirrordirector.ops.node.NodeOptions.Option;
import org.mirrordirector.sync.SyncConfig;
import org.mirrordirector.sync.archive.Selection;

/**
 * The values of a node's YAML file by dotted key, checked against {@link NodeConfig#OPTIONS}: typed
 * getters whose errors name the file, line, key and value, and the sections built from them.
 */
public final class NodeConfigValues {
  private final Path file;
  private final Map<String, Integer> lines;
  private final Map<String, JsonNode> given = new LinkedHashMap<>();

  /** The entries of {@code archives:}, each a mapping of archive keys. */
  private final List<JsonNode> archiveEntries = new ArrayList<>();

  /** For an entry of {@code archives:}: how its keys are named in messages ("archives[2]"). */
  private String entry;

  public NodeConfigValues(Path file, Map<String, Integer> lines) {
    this.file = file;
    this.lines = lines;
  }

  public void flatten(String prefix, JsonNode n) {
    Iterator<Map.Entry<String, JsonNode>> it = n.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (key.equals("archives")) {
        if (!e.getValue().isArray() && !e.getValue().isNull()) {
          throw fail(key, "must be a list of archives (- name: ..., root: ..., upstream: ...)");
        }
        e.getValue().forEach(archiveEntries::add);
      } else if (NodeConfig.BY_KEY.containsKey(key)) {
        given.put(key, e.getValue());
      } else if (e.getValue().isObject() && isSection(key)) {
        flatten(key, e.getValue());
      } else if (e.getValue().isNull() && isSection(key)) {
        continue; // a section whose keys are all commented out: every default
      } else if (isSection(key)) {
        throw fail(key, "must be a section of keys (" + sectionKeys(key) + ")");
      } else {
        throw fail(key, "unknown key" + suggestion(key));
      }
    }
  }

  private static boolean isSection(String key) {
    return NodeConfig.BY_KEY.keySet().stream().anyMatch(k -> k.startsWith(key + "."));
  }

  private static String sectionKeys(String section) {
    List<String> ks = new ArrayList<>();
    for (String k : NodeConfig.BY_KEY.keySet()) {
      if (k.startsWith(section + ".")) {
        ks.add(k.substring(section.length() + 1));
      }
    }
    return String.join(", ", ks);
  }

  private static String suggestion(String key) {
    String bare = key.replace("_", "-").toLowerCase(Locale.ROOT);
    for (String k : NodeConfig.BY_KEY.keySet()) {
      if (k.replace("-", "").equalsIgnoreCase(key.replace("-", "").replace("_", ""))
          || k.equals(bare)) {
        return "; did you mean " + k + "?";
      }
    }
    int dot = key.lastIndexOf('.');
    if (dot > 0 && isSection(key.substring(0, dot))) {
      return "; " + key.substring(0, dot) + " has " + sectionKeys(key.substring(0, dot));
    }
    return "; the sections are node, zookeeper, archive, director, probe, network, hooks";
  }

  public NodeConfig.Invalid fail(String key, String reason) {
    String shown = entry != null && key.startsWith("archive.") ? entry + key.substring(7) : key;
    Integer line = lines.get(shown);
    if (line == null && entry != null) {
      line = lines.get(entry);
    }
    return new NodeConfig.Invalid(
        file + (line != null ? ":" + line : "") + ": " + shown + ": " + reason);
  }

  /** Keys of archive: that are the node's, not an archive's: the one rsync daemon. */
  static final java.util.Set<String> NODE_WIDE =
      java.util.Set.of("rsync-host", "rsync-port", "rsync-address");

  /** One entry of archives:, checked with the keys of archive: plus its root. */
  private NodeConfig.ArchiveSection moreArchive(
      int index, JsonNode e, NodeConfig.ArchiveSection first) {
    NodeConfigValues v = new NodeConfigValues(file, lines);
    v.entry = "archives[" + index + "]";
    if (!e.isObject()) {
      throw v.fail("archive.", "must be a mapping of archive keys (name, root, upstream, ...)");
    }
    String root = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String key = "archive." + f.getKey();
      if (f.getKey().equals("root")) {
        root = f.getValue().asText().trim();
        if (!root.matches("/([A-Za-z0-9._-]+/)*")) {
          throw v.fail(key, "'" + root + "' must look like /debian/ (slashes around)");
        }
      } else if (NODE_WIDE.contains(f.getKey())) {
        throw v.fail(key, "is the node's one rsync daemon: set it under archive:");
      } else if (NodeConfig.BY_KEY.containsKey(key)) {
        v.given.put(key, f.getValue());
      } else {
        throw v.fail(key, "unknown key" + suggestion(key));
      }
    }
    if (root == null) {
      throw v.fail("archive.root", "is required (where clients ask for it, e.g. /debian/)");
    }
    if (v.string("archive.name").isEmpty()) {
      throw v.fail("archive.name", "is required (e.g. debian)");
    }
    return v.archiveSection(
        List.of(root), first.rsyncHost(), first.rsyncPort(), first.rsyncAddress());
  }

  /** The name an archive has when none is given: its root's last segment ("archive" for /). */
  public static String nameOf(String root) {
    String[] parts = root.split("/");
    return parts.length == 0 ? "archive" : parts[parts.length - 1];
  }

  private String raw(String key) {
    Option o = NodeConfig.BY_KEY.get(key);
    JsonNode n = given.get(key);
    if (n == null || n.isNull()) {
      if (o.defaultValue() == null) {
        throw fail(key, "is required (" + o.help() + ")");
      }
      return o.defaultValue();
    }
    if (!n.isValueNode()) {
      throw fail(key, "must be a single value, not a " + (n.isArray() ? "list" : "mapping"));
    }
    return n.asText();
  }

  public String string(String key) {
    return raw(key).trim();
  }

  public Path path(String key) {
    String s = string(key);
    if (s.isEmpty()) {
      return null;
    }
    if (s.indexOf('\0') >= 0) {
      throw fail(key, "not a file name: '" + s + "'");
    }
    Path p = Path.of(s);
    if (!p.isAbsolute() && file.getParent() != null) {
      p = file.toAbsolutePath().getParent().resolve(p); // relative to the config file
    }
    return p.normalize();
  }

  public int integer(String key, int min, int max) {
    String s = string(key);
    int n;
    try {
      n = Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw fail(key, "must be a whole number, not '" + s + "'");
    }
    if (n < min || n > max) {
      throw fail(key, "must be " + min + ".." + max + ", not " + n);
    }
    return n;
  }

  public boolean bool(String key) {
    String s = string(key).toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw fail(key, "must be true or false, not '" + s + "'");
    };
  }

  public Duration duration(String key, Duration min) {
    String s = string(key);
    Duration d;
    try {
      d = Durations.parse(s);
    } catch (RuntimeException e) {
      throw fail(key, "'" + s + "' is not a duration such as 500ms, 90s, 5m, 2h or 7d");
    }
    if (d.compareTo(min) < 0) {
      throw fail(key, "must be at least " + Durations.format(min) + ", not " + s);
    }
    return d;
  }

  private static final Pattern BYTES =
      Pattern.compile("(\\d{1,12})\\s*(|B|KiB|MiB|GiB|TiB|K|M|G|T)", Pattern.CASE_INSENSITIVE);

  public long bytes(String key) {
    String s = string(key);
    Matcher m = BYTES.matcher(s);
    if (!m.matches()) {
      throw fail(key, "'" + s + "' is not a size such as 500MiB or 2GiB");
    }
    long n = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2).toUpperCase(Locale.ROOT)) {
          case "K", "KIB" -> 10;
          case "M", "MIB" -> 20;
          case "G", "GIB" -> 30;
          case "T", "TIB" -> 40;
          default -> 0;
        };
    return n << shift;
  }

  /**
   * A host to listen on: a name, an IPv4 address, or an IPv6 address with or without brackets
   * (returned without them); a malformed IPv6 literal is named.
   */
  public String bindHost(String key) {
    String h = string(key);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.contains(":") && ipv6(h) == null) {
      throw fail(key, "'" + string(key) + "' is not an IPv6 address");
    }
    return h;
  }

  /** Checks HOST:PORT: an IPv6 address must be in brackets ([2001:db8::1]:8080), and be one. */
  public void hostPort(String key, String value) {
    int colon = value.lastIndexOf(':');
    String host = colon < 0 ? value : value.substring(0, colon);
    if (host.startsWith("[")) {
      if (!host.endsWith("]") || ipv6(host.substring(1, host.length() - 1)) == null) {
        throw fail(key, "'" + host + "' is not an IPv6 address in brackets");
      }
    } else if (host.contains(":")) {
      throw fail(
          key,
          "an IPv6 address must be in brackets, as in [2001:db8::1]:8080, not '" + value + "'");
    }
  }

  /** The bytes of an IPv6 literal (hex digits, colons, an IPv4 tail), or null; never DNS. */
  private static byte[] ipv6(String h) {
    if (!h.matches("[0-9A-Fa-f:.]+") || !h.contains(":")) {
      return null;
    }
    try {
      return java.net.InetAddress.getByName(h).getAddress();
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  /** archive.components, .architectures, .languages and .extras, each error naming its key. */
  public Selection selection() {
    List<String> components = list("archive.components");
    for (String c : components) {
      check("archive.components", () -> Selection.all().withComponents(List.of(c)));
    }
    List<String> archs = list("archive.architectures");
    for (String a : archs) {
      check("archive.architectures", () -> Selection.all().withArchitectures(List.of(a)));
    }
    List<String> langs = list("archive.languages");
    java.util.Optional<List<String>> languages =
        langs.equals(List.of("all")) ? java.util.Optional.empty() : java.util.Optional.of(langs);
    for (String l : langs) {
      if (!l.equals("all")) {
        check(
            "archive.languages",
            () -> Selection.all().withLanguages(java.util.Optional.of(List.of(l))));
      } else if (langs.size() > 1) {
        throw fail("archive.languages", "'all' cannot be listed with other languages");
      }
    }
    java.util.Set<Selection.Extra> extras =
        check(
            "archive.extras",
            () ->
                list("archive.extras").isEmpty()
                    ? java.util.Set.<Selection.Extra>of()
                    : Selection.Extra.parse(String.join(",", list("archive.extras"))));
    return new Selection(components, archs, languages, extras);
  }

  public List<String> list(String key) {
    Option o = NodeConfig.BY_KEY.get(key);
    JsonNode n = given.get(key);
    if (n == null || n.isNull()) {
      if (o.defaultValue() == null) {
        throw fail(key, "is required (" + o.help() + ")");
      }
      String d = o.defaultValue();
      String inner = d.substring(1, d.length() - 1).trim();
      return inner.isEmpty() ? List.of() : List.of(inner.split(",\\s*"));
    }
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      for (JsonNode e : n) {
        if (!e.isValueNode() || e.isNull()) {
          throw fail(key, "must be a list of plain values");
        }
        out.add(e.asText());
      }
    } else if (n.isValueNode() && !n.asText().isBlank()) {
      out.add(n.asText()); // one value for a list of one
    } else {
      throw fail(key, "must be a list, e.g. [a, b]");
    }
    return List.copyOf(out);
  }

  public NodeConfig build() {
    String id = string("node.id");
    check("node.id", () -> RegistryPaths.requireId("node", id));
    Path data = path("node.data");
    if (data == null) {
      throw fail("node.data", "must name a directory");
    }
    int port = integer("director.port", 1, 65535);
    String host = bindHost("director.host");
    String address = string("node.address");
    if (address.isEmpty()) {
      address =
          (host.equals("0.0.0.0") || host.equals("::") ? NodeConfig.localHost() : host)
              + ":"
              + port;
    } else if (!address.matches("[A-Za-z0-9.:\\[\\]-]+:\\d{1,5}")) {
      throw fail("node.address", "must be host:port, not '" + address + "'");
    } else {
      hostPort("node.address", address);
    }
    NodeConfig.Kind kind = NodeRoleRules.kind(this);
    boolean replica = kind == NodeConfig.Kind.REPLICA;
    String region = NodeRoleRules.region(this, replica);
    NodeConfig.NodeSection node = new NodeConfig.NodeSection(id, data, address, kind, region);

    String connect = string("zookeeper.connect");
    if (!connect.isEmpty() && !connect.matches("[A-Za-z0-9.\\[\\]:,_-]+(/[A-Za-z0-9/_.-]*)?")) {
      throw fail("zookeeper.connect", "must be host:port[,host:port...], not '" + connect + "'");
    }
    if (!connect.isEmpty()) {
      for (String hp : connect.replaceFirst("/.*$", "").split(",")) {
        hostPort("zookeeper.connect", hp);
      }
    }
    Duration session = duration("zookeeper.session-timeout", Duration.ofSeconds(1));
    NodeConfig.ZooKeeperSection zk =
        new NodeConfig.ZooKeeperSection(
            connect,
            bindHost("zookeeper.embedded-host"),
            integer("zookeeper.embedded-port", 1, 65535),
            check("zookeeper.root", () -> new RegistryPaths(string("zookeeper.root")).root()),
            session,
            duration("zookeeper.connection-timeout", Duration.ofMillis(100)));

    List<String> roots = list("director.roots");
    if (roots.isEmpty()) {
      throw fail("director.roots", "must name at least one root, e.g. [/raspbian/]");
    }
    for (String r : roots) {
      if (!r.matches("/([A-Za-z0-9._-]+/)*")) {
        throw fail("director.roots", "'" + r + "' must look like /raspbian/ (slashes around)");
      }
    }
    int rsyncPort = integer("archive.rsync-port", 0, 65535);
    rsyncPort = NodeRoleRules.rsyncPort(this, replica, rsyncPort);
    String rsyncAddress = string("archive.rsync-address");
    if (rsyncAddress.isEmpty()) {
      rsyncAddress = address.substring(0, address.lastIndexOf(':'));
    }
    NodeConfig.ArchiveSection archive =
        archiveSection(roots, bindHost("archive.rsync-host"), rsyncPort, rsyncAddress);
    List<NodeConfig.ArchiveSection> more = new ArrayList<>();
    java.util.Map<String, String> rootOwner = new java.util.HashMap<>();
    java.util.Set<String> names = new java.util.HashSet<>(List.of(archive.name()));
    for (String r : roots) {
      rootOwner.put(r, archive.name());
    }
    for (int i = 0; i < archiveEntries.size(); i++) {
      NodeConfig.ArchiveSection m = moreArchive(i, archiveEntries.get(i), archive);
      String at = "archives[" + i + "]";
      String owner = rootOwner.putIfAbsent(m.roots().get(0), m.name());
      if (owner != null) {
        throw failAt(
            at + ".root",
            at,
            "'"
                + m.roots().get(0)
                + "' is already the root of archive "
                + owner
                + "; two archives cannot have one root");
      }
      if (!names.add(m.name())) {
        throw failAt(at + ".name", at, "'" + m.name() + "' names two archives");
      }
      more.add(m);
    }

    List<String> proxies = list("director.trusted-proxies");
    check("director.trusted-proxies", () -> TrustedProxies.parse(proxies));
    List<Path> geoip = new ArrayList<>();
    for (String g : list("director.geoip")) {
      Path p = Path.of(g);
      if (!p.isAbsolute() && file.getParent() != null) {
        p = file.toAbsolutePath().getParent().resolve(p);
      }
      if (!Files.isReadable(p)) {
        throw fail("director.geoip", "cannot read " + p);
      }
      geoip.add(p);
    }
    Path token = path("director.admin-token-file");
    if (token != null && !Files.isReadable(token)) {
      throw fail("director.admin-token-file", "cannot read " + token);
    }
    List<String> fallbacks = list("director.fallback-mirrors");
    for (String u : fallbacks) {
      if (!u.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
        throw fail("director.fallback-mirrors", "'" + u + "' is not an http(s) base URL");
      }
    }
    NodeConfig.DirectorSection director =
        new NodeConfig.DirectorSection(
            host,
            port,
            roots,
            proxies,
            List.copyOf(geoip),
            token,
            duration("director.lag-window", Duration.ZERO),
            fallbacks,
            // A replica holds no pool: what no mirror qualifies for goes to the writer pair.
            bool("director.serve-locally") && !replica,
            integer("director.max-threads", 8, 10_000),
            duration("director.drain-time", Duration.ZERO),
            duration("director.hold-for", Duration.ZERO),
            string("director.access-log").strip(),
            bytes("director.access-log-max-size"),
            integer("director.access-log-keep", 1, 3650),
            bool("director.access-log-compress"));
    if (director.accessLogMaxBytes() < 1024 * 1024) {
      throw fail(
          "director.access-log-max-size",
          "must be at least 1MiB, not " + string("director.access-log-max-size"));
    }
    if (replica) {
      NodeRoleRules.check(this, zk, director);
    }
    if (director.holdFor().compareTo(Duration.ofMinutes(2)) > 0) {
      throw fail("director.hold-for", "must be at most 2m, not " + string("director.hold-for"));
    }

    NodeConfig.ProbeSection probe =
        new NodeConfig.ProbeSection(
            duration("probe.interval", Duration.ofSeconds(1)),
            duration("probe.recheck-interval", Duration.ZERO),
            duration("probe.timeout", Duration.ofMillis(100)),
            integer("probe.parallelism", 1, 1024),
            integer("probe.sample-size", 0, 1000),
            integer("probe.confirmations", 1, 100));
    NodeConfig.HooksSection hooks =
        new NodeConfig.HooksSection(
            list("hooks.on-promote"),
            list("hooks.on-demote"),
            duration("hooks.timeout", Duration.ofMillis(100)));
    if (zk.sessionTimeout().compareTo(Duration.ofSeconds(1)) < 0) {
      throw fail("zookeeper.session-timeout", "must be at least 1s");
    }
    if (zk.embedded() && rsyncPort != 0 && rsyncPort == zk.embeddedPort()) {
      throw fail("archive.rsync-port", "is also zookeeper.embedded-port (" + rsyncPort + ")");
    }
    if (rsyncPort != 0 && rsyncPort == port) {
      throw fail("archive.rsync-port", "is also director.port (" + port + ")");
    }
    String nat64 = string("network.nat64-prefix");
    if (!nat64.equals("auto") && !nat64.equals("none")) {
      check("network.nat64-prefix", () -> org.mirrordirector.failover.net.Nat64.parse(nat64));
    }
    Duration stagger = duration("network.connect-stagger", Duration.ofMillis(10));
    if (stagger.compareTo(Duration.ofSeconds(2)) > 0) {
      throw fail(
          "network.connect-stagger",
          "must be at most 2s, not " + string("network.connect-stagger"));
    }
    NodeConfig.NetworkSection network = new NodeConfig.NetworkSection(nat64, stagger);
    return new NodeConfig(
        file, node, zk, archive, director, probe, hooks, List.copyOf(more), network);
  }

  /** True when the file sets this key (not a default). */
  public boolean isSet(String key) {
    JsonNode n = given.get(key);
    return n != null && !n.isNull();
  }

  /** The archive keys of this file (or of one entry of archives:), checked. */
  public NodeConfig.ArchiveSection archiveSection(
      List<String> roots, String rsyncHost, int rsyncPort, String rsyncAddress) {
    String upstream = string("archive.upstream");
    if (upstream.startsWith("rsync://")) {
      String authority = upstream.substring(8).replaceFirst("/.*$", "");
      hostPort(
          "archive.upstream",
          authority.contains(":") || authority.contains("[") ? authority : authority + ":873");
    }
    check("archive.upstream", () -> SyncConfig.checkUpstream(upstream));
    List<String> suites = list("archive.suites");
    if (suites.isEmpty()) {
      throw fail("archive.suites", "must name at least one suite");
    }
    for (String s : suites) {
      if (!s.matches("[A-Za-z0-9][A-Za-z0-9.+_-]*")) {
        throw fail("archive.suites", "'" + s + "' is not a suite name");
      }
    }
    Selection selection = selection();
    Path keyring = path("archive.keyring");
    if (keyring == null) {
      throw fail(
          "archive.keyring",
          "is required (" + NodeConfig.BY_KEY.get("archive.keyring").help() + ")");
    }
    if (!Files.isReadable(keyring)) {
      throw fail("archive.keyring", "cannot read " + keyring);
    }
    String name = string("archive.name");
    if (name.isEmpty()) {
      name = nameOf(roots.get(0));
    }
    String checkedName = name;
    check("archive.name", () -> RegistryPaths.requireId("archive", checkedName));
    return new NodeConfig.ArchiveSection(
        name,
        roots,
        upstream,
        suites,
        selection,
        keyring,
        list("archive.fingerprints"),
        bool("archive.sha1-bindings"),
        integer("archive.keep", 1, 100),
        duration("archive.sync-interval", Duration.ofSeconds(1)),
        duration("archive.rsync-timeout", Duration.ofSeconds(1)),
        bytes("archive.min-free"),
        duration("archive.rehash-period", Duration.ZERO),
        list("archive.rsync-args"),
        rsyncHost,
        rsyncPort,
        rsyncAddress);
  }

  private NodeConfig.Invalid failAt(String key, String lineOf, String reason) {
    Integer line = lines.getOrDefault(key, lines.get(lineOf));
    return new NodeConfig.Invalid(
        file + (line != null ? ":" + line : "") + ": " + key + ": " + reason);
  }

  private <T> T check(String key, java.util.function.Supplier<T> s) {
    try {
      return s.get();
    } catch (IllegalArgumentException e) {
      throw fail(key, e.getMessage());
    }
  }
}
