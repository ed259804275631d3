package org.mirrordirector.ops;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mirrordirector.director.TrustedProxies;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.sync.SyncConfig;

/**
 * The configuration of one node ({@code mirrorctl node --config node.yaml}), read once, validated
 * once, then read-only. Every option, its one default and its meaning are in {@link #OPTIONS}; the
 * example file, {@code mirrorctl node --print-config} and the README's table come from there.
 */
public record NodeConfig(
    Path file,
    NodeSection node,
    ZooKeeperSection zookeeper,
    ArchiveSection archive,
    DirectorSection director,
    ProbeSection probe,
    HooksSection hooks) {

  /** Who this node is and where it keeps its files. */
  public record NodeSection(String id, Path data, String address) {}

  /**
   * The registry.
   *
   * @param connect the ensemble's connect string; empty for an embedded single server
   */
  public record ZooKeeperSection(
      String connect,
      String embeddedHost,
      int embeddedPort,
      String root,
      Duration sessionTimeout,
      Duration connectionTimeout) {
    public boolean embedded() {
      return connect.isEmpty();
    }

    /** What the node's client connects to. */
    public String connectString() {
      return embedded() ? embeddedHost + ":" + embeddedPort : connect;
    }
  }

  /** The upstream archive, how it is copied and verified, and the node's own rsync module. */
  public record ArchiveSection(
      String upstream,
      List<String> suites,
      List<String> components,
      Path keyring,
      List<String> fingerprints,
      boolean sha1Bindings,
      int keep,
      Duration syncInterval,
      Duration rsyncTimeout,
      long minFreeBytes,
      List<String> rsyncArgs,
      String rsyncHost,
      int rsyncPort,
      String rsyncAddress) {}

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
      Duration holdFor) {}

  /** How the active node probes the public mirrors. */
  public record ProbeSection(
      Duration interval,
      Duration recheckInterval,
      Duration timeout,
      int parallelism,
      int sampleSize,
      int confirmations) {}

  /** Commands run when this node is promoted or demoted (a VIP or load-balancer script). */
  public record HooksSection(List<String> onPromote, List<String> onDemote, Duration timeout) {}

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
  public static final List<Option> OPTIONS =
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
          new Option("archive.suites", Type.LIST, null, "the suites to copy and verify"),
          new Option(
              "archive.components",
              Type.LIST,
              "[main]",
              "the components users put in their sources entry (mirrorctl sources)"),
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

  private static final Map<String, Option> BY_KEY = new LinkedHashMap<>();

  static {
    for (Option o : OPTIONS) {
      BY_KEY.put(o.key(), o);
    }
  }

  /** A configuration that cannot be used; the message names the file, line, key and reason. */
  public static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  /** Reads and checks a YAML file. */
  public static NodeConfig load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new Invalid(file + ": no such file");
    }
    return parse(file, Files.readString(file, StandardCharsets.UTF_8));
  }

  /** Checks a configuration given as YAML text ({@code file} names it in messages). */
  public static NodeConfig parse(Path file, String yaml) {
    Map<String, Integer> lines = new HashMap<>();
    JsonNode root;
    try {
      root = read(yaml, lines);
    } catch (JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      throw new Invalid(
          file
              + (l != null ? ":" + l.getLineNr() : "")
              + ": not valid YAML: "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw new Invalid(file + ": " + e.getMessage());
    }
    Values v = new Values(file, lines);
    if (root != null && !root.isNull() && !root.isMissingNode()) {
      if (!root.isObject()) {
        throw new Invalid(file + ": the file must be a mapping of sections (node:, archive:, ...)");
      }
      v.flatten("", root);
    }
    return v.build();
  }

  /** The YAML tree, and the line of every key (by dotted path). */
  private static JsonNode read(String yaml, Map<String, Integer> lines) throws IOException {
    Deque<String> containers = new ArrayDeque<>(); // the dotted path of each open mapping or list
    try (JsonParser p =
        YAMLFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build()
            .createParser(yaml)) {
      String field = null;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        switch (t) {
          case FIELD_NAME -> {
            String top = containers.isEmpty() ? "" : containers.peek();
            field = top.isEmpty() ? p.currentName() : top + "." + p.currentName();
            lines.putIfAbsent(field, p.currentLocation().getLineNr());
          }
          case START_OBJECT, START_ARRAY -> {
            String top = containers.isEmpty() ? null : containers.peek();
            containers.push(field != null ? field : top == null ? "" : top + "[]");
            field = null;
          }
          case END_OBJECT, END_ARRAY -> containers.pop();
          default -> field = null;
        }
      }
    }
    // A section given twice must not silently lose its first half.
    return YAMLMapper.builder()
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build()
        .readTree(yaml);
  }

  /** The given values by dotted key, checked against {@link #OPTIONS}. */
  private static final class Values {
    private final Path file;
    private final Map<String, Integer> lines;
    private final Map<String, JsonNode> given = new LinkedHashMap<>();

    Values(Path file, Map<String, Integer> lines) {
      this.file = file;
      this.lines = lines;
    }

    void flatten(String prefix, JsonNode n) {
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
        if (BY_KEY.containsKey(key)) {
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
      return BY_KEY.keySet().stream().anyMatch(k -> k.startsWith(key + "."));
    }

    private static String sectionKeys(String section) {
      List<String> ks = new ArrayList<>();
      for (String k : BY_KEY.keySet()) {
        if (k.startsWith(section + ".")) {
          ks.add(k.substring(section.length() + 1));
        }
      }
      return String.join(", ", ks);
    }

    private static String suggestion(String key) {
      String bare = key.replace("_", "-").toLowerCase(Locale.ROOT);
      for (String k : BY_KEY.keySet()) {
        if (k.replace("-", "").equalsIgnoreCase(key.replace("-", "").replace("_", ""))
            || k.equals(bare)) {
          return "; did you mean " + k + "?";
        }
      }
      int dot = key.lastIndexOf('.');
      if (dot > 0 && isSection(key.substring(0, dot))) {
        return "; " + key.substring(0, dot) + " has " + sectionKeys(key.substring(0, dot));
      }
      return "; the sections are node, zookeeper, archive, director, probe, hooks";
    }

    Invalid fail(String key, String reason) {
      Integer line = lines.get(key);
      return new Invalid(file + (line != null ? ":" + line : "") + ": " + key + ": " + reason);
    }

    private String raw(String key) {
      Option o = BY_KEY.get(key);
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

    String string(String key) {
      return raw(key).trim();
    }

    Path path(String key) {
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

    int integer(String key, int min, int max) {
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

    boolean bool(String key) {
      String s = string(key).toLowerCase(Locale.ROOT);
      return switch (s) {
        case "true", "yes", "on" -> true;
        case "false", "no", "off" -> false;
        default -> throw fail(key, "must be true or false, not '" + s + "'");
      };
    }

    Duration duration(String key, Duration min) {
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

    long bytes(String key) {
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

    List<String> list(String key) {
      Option o = BY_KEY.get(key);
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

    NodeConfig build() {
      String id = string("node.id");
      check("node.id", () -> RegistryPaths.requireId("node", id));
      Path data = path("node.data");
      if (data == null) {
        throw fail("node.data", "must name a directory");
      }
      int port = integer("director.port", 1, 65535);
      String host = string("director.host");
      String address = string("node.address");
      if (address.isEmpty()) {
        address = (host.equals("0.0.0.0") || host.equals("::") ? localHost() : host) + ":" + port;
      } else if (!address.matches("[A-Za-z0-9.:\\[\\]-]+:\\d{1,5}")) {
        throw fail("node.address", "must be host:port, not '" + address + "'");
      }
      NodeSection node = new NodeSection(id, data, address);

      String connect = string("zookeeper.connect");
      if (!connect.isEmpty() && !connect.matches("[A-Za-z0-9.\\[\\]:,_-]+(/[A-Za-z0-9/_.-]*)?")) {
        throw fail("zookeeper.connect", "must be host:port[,host:port...], not '" + connect + "'");
      }
      Duration session = duration("zookeeper.session-timeout", Duration.ofSeconds(1));
      ZooKeeperSection zk =
          new ZooKeeperSection(
              connect,
              string("zookeeper.embedded-host"),
              integer("zookeeper.embedded-port", 1, 65535),
              check("zookeeper.root", () -> new RegistryPaths(string("zookeeper.root")).root()),
              session,
              duration("zookeeper.connection-timeout", Duration.ofMillis(100)));

      String upstream = string("archive.upstream");
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
      List<String> components = list("archive.components");
      for (String c : components) {
        if (!c.matches("[A-Za-z0-9][A-Za-z0-9.+_/-]*")) {
          throw fail("archive.components", "'" + c + "' is not a component name");
        }
      }
      Path keyring = path("archive.keyring");
      if (keyring == null) {
        throw fail("archive.keyring", "is required (" + BY_KEY.get("archive.keyring").help() + ")");
      }
      if (!Files.isReadable(keyring)) {
        throw fail("archive.keyring", "cannot read " + keyring);
      }
      int rsyncPort = integer("archive.rsync-port", 0, 65535);
      String rsyncAddress = string("archive.rsync-address");
      if (rsyncAddress.isEmpty()) {
        rsyncAddress = address.substring(0, address.lastIndexOf(':'));
      }
      ArchiveSection archive =
          new ArchiveSection(
              upstream,
              suites,
              components,
              keyring,
              list("archive.fingerprints"),
              bool("archive.sha1-bindings"),
              integer("archive.keep", 1, 100),
              duration("archive.sync-interval", Duration.ofSeconds(1)),
              duration("archive.rsync-timeout", Duration.ofSeconds(1)),
              bytes("archive.min-free"),
              list("archive.rsync-args"),
              string("archive.rsync-host"),
              rsyncPort,
              rsyncAddress);

      List<String> roots = list("director.roots");
      if (roots.isEmpty()) {
        throw fail("director.roots", "must name at least one root, e.g. [/raspbian/]");
      }
      for (String r : roots) {
        if (!r.matches("/([A-Za-z0-9._-]+/)*")) {
          throw fail("director.roots", "'" + r + "' must look like /raspbian/ (slashes around)");
        }
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
      DirectorSection director =
          new DirectorSection(
              host,
              port,
              roots,
              proxies,
              List.copyOf(geoip),
              token,
              duration("director.lag-window", Duration.ZERO),
              fallbacks,
              bool("director.serve-locally"),
              integer("director.max-threads", 8, 10_000),
              duration("director.drain-time", Duration.ZERO),
              duration("director.hold-for", Duration.ZERO));
      if (director.holdFor().compareTo(Duration.ofMinutes(2)) > 0) {
        throw fail("director.hold-for", "must be at most 2m, not " + string("director.hold-for"));
      }

      ProbeSection probe =
          new ProbeSection(
              duration("probe.interval", Duration.ofSeconds(1)),
              duration("probe.recheck-interval", Duration.ZERO),
              duration("probe.timeout", Duration.ofMillis(100)),
              integer("probe.parallelism", 1, 1024),
              integer("probe.sample-size", 0, 1000),
              integer("probe.confirmations", 1, 100));
      HooksSection hooks =
          new HooksSection(
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
      return new NodeConfig(file, node, zk, archive, director, probe, hooks);
    }

    private <T> T check(String key, java.util.function.Supplier<T> s) {
      try {
        return s.get();
      } catch (IllegalArgumentException e) {
        throw fail(key, e.getMessage());
      }
    }
  }

  private static String localHost() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  /** The effective configuration as YAML, every key with its value and its meaning. */
  public String describe() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("node.id", node.id());
    values.put("node.data", node.data());
    values.put("node.address", node.address());
    values.put("zookeeper.connect", zookeeper.connect());
    values.put("zookeeper.embedded-host", zookeeper.embeddedHost());
    values.put("zookeeper.embedded-port", zookeeper.embeddedPort());
    values.put("zookeeper.root", zookeeper.root());
    values.put("zookeeper.session-timeout", zookeeper.sessionTimeout());
    values.put("zookeeper.connection-timeout", zookeeper.connectionTimeout());
    values.put("archive.upstream", archive.upstream());
    values.put("archive.suites", archive.suites());
    values.put("archive.components", archive.components());
    values.put("archive.keyring", archive.keyring());
    values.put("archive.fingerprints", archive.fingerprints());
    values.put("archive.sha1-bindings", archive.sha1Bindings());
    values.put("archive.keep", archive.keep());
    values.put("archive.sync-interval", archive.syncInterval());
    values.put("archive.rsync-timeout", archive.rsyncTimeout());
    values.put("archive.min-free", archive.minFreeBytes());
    values.put("archive.rsync-args", archive.rsyncArgs());
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
    values.put("probe.interval", probe.interval());
    values.put("probe.recheck-interval", probe.recheckInterval());
    values.put("probe.timeout", probe.timeout());
    values.put("probe.parallelism", probe.parallelism());
    values.put("probe.sample-size", probe.sampleSize());
    values.put("probe.confirmations", probe.confirmations());
    values.put("hooks.on-promote", hooks.onPromote());
    values.put("hooks.on-demote", hooks.onDemote());
    values.put("hooks.timeout", hooks.timeout());
    StringBuilder sb = new StringBuilder("# effective configuration of " + file + "\n");
    String section = "";
    for (Option o : OPTIONS) {
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
    return sb.toString();
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
