package org.mirrordirector.ops.node;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.mirrordirector.ops.common.Durations;
import org.mirrordirector.sync.archive.ExtraIndex;
import org.mirrordirector.sync.archive.Selection;

/**
 * The values of a node's YAML file by dotted key, checked against {@link NodeOptions#ALL}: typed
 * getters whose errors name the file, line, key and value. {@link NodeConfigBuilder} builds the
 * sections from them.
 */
public final class NodeConfigValues {
  private final Path file;
  private final Map<String, Integer> lines;
  private final Map<String, JsonNode> given = new LinkedHashMap<>();

  /** The entries of {@code archives:}, each a mapping of archive keys. */
  private final List<JsonNode> archiveEntries = new ArrayList<>();

  /** For an entry of {@code archives:}: how its keys are named in messages ("archives[2]"). */
  private String entry;

  private String entryRoot;

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
      } else if (NodeOptions.BY_KEY.containsKey(key)) {
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
    return NodeOptions.BY_KEY.keySet().stream().anyMatch(k -> k.startsWith(key + "."));
  }

  private static String sectionKeys(String section) {
    List<String> ks = new ArrayList<>();
    for (String k : NodeOptions.BY_KEY.keySet()) {
      if (k.startsWith(section + ".")) {
        ks.add(k.substring(section.length() + 1));
      }
    }
    return String.join(", ", ks);
  }

  private static String suggestion(String key) {
    String bare = key.replace("_", "-").toLowerCase(Locale.ROOT);
    for (String k : NodeOptions.BY_KEY.keySet()) {
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

  public InvalidConfigException fail(String key, String reason) {
    String shown = entry != null && key.startsWith("archive.") ? entry + key.substring(7) : key;
    Integer line = lines.get(shown);
    if (line == null && entry != null) {
      line = lines.get(entry);
    }
    return new InvalidConfigException(
        file + (line != null ? ":" + line : "") + ": " + shown + ": " + reason);
  }

  /** Keys of archive: that are the node's, not an archive's: the one rsync daemon. */
  static final java.util.Set<String> NODE_WIDE =
      java.util.Set.of("rsync-host", "rsync-port", "rsync-address");

  /**
   * The values of one entry of {@code archives:}: the keys of {@code archive:} plus its root, named
   * "archives[N]..." in messages; the node-wide keys are refused there.
   */
  NodeConfigValues entry(int index, JsonNode e) {
    NodeConfigValues v = new NodeConfigValues(file, lines);
    v.entry = "archives[" + index + "]";
    if (!e.isObject()) {
      throw v.fail("archive.", "must be a mapping of archive keys (name, root, upstream, ...)");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String key = "archive." + f.getKey();
      if (f.getKey().equals("root")) {
        String root = f.getValue().asText().trim();
        if (!root.matches("/([A-Za-z0-9._-]+/)*")) {
          throw v.fail(key, "'" + root + "' must look like /debian/ (slashes around)");
        }
        v.entryRoot = root;
      } else if (NODE_WIDE.contains(f.getKey())) {
        throw v.fail(key, "is the node's one rsync daemon: set it under archive:");
      } else if (NodeOptions.BY_KEY.containsKey(key)) {
        v.given.put(key, f.getValue());
      } else {
        throw v.fail(key, "unknown key" + suggestion(key));
      }
    }
    if (v.entryRoot == null) {
      throw v.fail("archive.root", "is required (where clients ask for it, e.g. /debian/)");
    }
    if (v.string("archive.name").isEmpty()) {
      throw v.fail("archive.name", "is required (e.g. debian)");
    }
    return v;
  }

  /** The root of an entry of {@code archives:}; null for the file itself. */
  String entryRoot() {
    return entryRoot;
  }

  /** The entries of {@code archives:}, each a mapping of archive keys. */
  List<JsonNode> archiveEntries() {
    return archiveEntries;
  }

  /** The file these values come from. */
  Path file() {
    return file;
  }

  private String raw(String key) {
    ConfigOption o = NodeOptions.BY_KEY.get(key);
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
    java.util.Set<ExtraIndex> extras =
        check(
            "archive.extras",
            () ->
                list("archive.extras").isEmpty()
                    ? java.util.Set.<ExtraIndex>of()
                    : ExtraIndex.parse(String.join(",", list("archive.extras"))));
    return new Selection(components, archs, languages, extras);
  }

  public List<String> list(String key) {
    ConfigOption o = NodeOptions.BY_KEY.get(key);
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

  /** True when the file sets this key (not a default). */
  public boolean isSet(String key) {
    JsonNode n = given.get(key);
    return n != null && !n.isNull();
  }

  InvalidConfigException failAt(String key, String lineOf, String reason) {
    Integer line = lines.getOrDefault(key, lines.get(lineOf));
    return new InvalidConfigException(
        file + (line != null ? ":" + line : "") + ": " + key + ": " + reason);
  }

  <T> T check(String key, java.util.function.Supplier<T> s) {
    try {
      return s.get();
    } catch (IllegalArgumentException e) {
      throw fail(key, e.getMessage());
    }
  }
}
