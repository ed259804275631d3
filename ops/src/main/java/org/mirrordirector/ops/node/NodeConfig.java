package org.mirrordirector.ops.node;

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
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mirrordirector.ops.node.NodeOptions.Option;
import org.mirrordirector.sync.archive.Selection;

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
    HooksSection hooks,
    List<ArchiveSection> moreArchives,
    NetworkSection network) {

  /** Every archive this node serves: {@code archive:} first, then those of {@code archives:}. */
  public List<ArchiveSection> archives() {
    List<ArchiveSection> all = new java.util.ArrayList<>();
    all.add(archive);
    all.addAll(moreArchives);
    return all;
  }

  /** The archive of this name, if the node serves one. */
  public java.util.Optional<ArchiveSection> archive(String name) {
    return archives().stream().filter(a -> a.name().equals(name)).findFirst();
  }

  /**
   * Who this node is and where it keeps its files.
   *
   * @param region a replica's region, null for the writer pair
   */
  public record NodeSection(String id, Path data, String address, Kind kind, String region) {
    /** A director replica: reads the registry, copies the indexes alone, never leads. */
    public boolean replica() {
      return kind == Kind.REPLICA;
    }
  }

  /** What part a node plays ({@code node.role}). */
  public enum Kind {
    /** One of the pair that writes the registry: the active node or its hot spare. */
    WRITER,
    /** A director in another region, reading the registry through an observer there. */
    REPLICA
  }

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
      String h = embeddedHost.contains(":") ? "[" + embeddedHost + "]" : embeddedHost;
      return embedded() ? h + ":" + embeddedPort : connect;
    }
  }

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

  /** How the active node probes the public mirrors. */
  public record ProbeSection(
      Duration interval,
      Duration recheckInterval,
      Duration timeout,
      int parallelism,
      int sampleSize,
      int confirmations) {}

  /**
   * How this node connects out: its NAT64 prefix ("auto", "none" or a prefix, checked) and the
   * stagger between the attempts at a name's addresses.
   */
  public record NetworkSection(String nat64Prefix, Duration connectStagger) {}

  /** Commands run when this node is promoted or demoted (a VIP or load-balancer script). */
  public record HooksSection(List<String> onPromote, List<String> onDemote, Duration timeout) {}

  /** Every option, grouped by section, with its one default: {@link NodeOptions#ALL}. */
  public static final List<Option> OPTIONS = NodeOptions.ALL;

  public static final Map<String, Option> BY_KEY = new LinkedHashMap<>();

  static {
    for (Option o : OPTIONS) {
      BY_KEY.put(o.key(), o);
    }
  }

  /** A configuration that cannot be used; the message names the file, line, key and reason. */
  public static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public Invalid(String message) {
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
    NodeConfigValues v = new NodeConfigValues(file, lines);
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
    Deque<int[]> items = new ArrayDeque<>(); // per open container: the next item's index in a list
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
            String name;
            if (field != null) {
              name = field;
            } else if (top == null) {
              name = "";
            } else {
              // An item of a list: archives[0], archives[1], ... (the line of the item's start).
              name = top + "[" + items.peek()[0]++ + "]";
              lines.putIfAbsent(name, p.currentLocation().getLineNr());
            }
            containers.push(name);
            items.push(new int[] {0});
            field = null;
          }
          case END_OBJECT, END_ARRAY -> {
            containers.pop();
            items.pop();
          }
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

  public static String localHost() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  /** The effective configuration as YAML, every key with its value and its meaning. */
  public String describe() {
    return NodeOptions.describe(this);
  }
}
