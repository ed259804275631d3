package org.mirrordirector.ops.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.cli.ExitCode;
import org.mirrordirector.ops.cli.Mirrorctl;

/** The node's YAML file: every default in one place, and every mistake named with file and key. */
class NodeConfigTest {
  @TempDir Path dir;
  Path file;

  @BeforeEach
  void keyring() throws Exception {
    Files.writeString(dir.resolve("keyring.asc"), "not read by the config check\n");
    file = dir.resolve("node.yaml");
  }

  private static final String MINIMAL =
      """
      node:
        id: node-a
      archive:
        upstream: rsync://upstream.example.org/raspbian/
        suites: [bookworm]
        keyring: keyring.asc
      """;

  private NodeConfig parse(String yaml) {
    return NodeConfigFile.parse(file, yaml);
  }

  @Test
  void theRehashPeriodIsASettingThatZeroTurnsIntoEveryFileOnEverySync() {
    assertThat(parse(MINIMAL).archive().rehashPeriod()).isEqualTo(Duration.ofDays(30));
    assertThat(parse(MINIMAL + "  rehash-period: 0s\n").archive().rehashPeriod())
        .isEqualTo(Duration.ZERO);
    assertThat(parse(MINIMAL + "  rehash-period: 7d\n").archive().rehashPeriod())
        .isEqualTo(Duration.ofDays(7));
    expect(MINIMAL + "  rehash-period: monthly\n", "archive.rehash-period");
  }

  @Test
  void aMinimalFileTakesEveryOtherValueFromTheOneTableOfDefaults() {
    NodeConfig c = parse(MINIMAL);
    assertThat(c.node().id()).isEqualTo("node-a");
    assertThat(c.node().data()).isEqualTo(Path.of("/var/lib/mirrordirector"));
    assertThat(c.archive().keyring()).isEqualTo(dir.resolve("keyring.asc"));
    assertThat(c.zookeeper().embedded()).isTrue();
    assertThat(c.zookeeper().connectString()).isEqualTo("127.0.0.1:2181");
    assertThat(c.zookeeper().sessionTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(c.archive().keep()).isEqualTo(3);
    assertThat(c.archive().minFreeBytes()).isEqualTo(1L << 30);
    assertThat(c.director().port()).isEqualTo(8080);
    assertThat(c.director().roots()).containsExactly("/raspbian/");
    assertThat(c.director().adminTokenFile()).isNull();
    assertThat(c.probe().confirmations()).isEqualTo(2);
    assertThat(c.node().address()).endsWith(":8080");
    assertThat(c.archive().rsyncAddress()).isEqualTo(c.node().address().split(":")[0]);
  }

  @Test
  void theEffectiveConfigurationNamesEveryOptionAndReadsBackToTheSameValues() throws Exception {
    NodeConfig c =
        parse(
            MINIMAL
                + """
                zookeeper:
                  connect: zk1:2181,zk2:2181,zk3:2181
                director:
                  port: 9090
                  trusted-proxies: [127.0.0.1/32, "10.0.0.0/8"]
                hooks:
                  on-promote: [/usr/local/bin/vip, up]
                """);
    String described = NodeOptions.describe(c);
    for (ConfigOption o : NodeOptions.ALL) {
      String key = o.key().substring(o.key().indexOf('.') + 1);
      assertThat(described).contains("\n  " + key + ": ").contains(o.help());
    }
    Files.writeString(file, described);
    NodeConfig again = NodeConfigFile.load(file);
    assertThat(again).isEqualTo(c);
  }

  @Test
  void theExampleFileHasEveryOptionWithItsDefault() throws Exception {
    Path example = Path.of("examples/node.yaml");
    String text = Files.readString(example);
    for (ConfigOption o : NodeOptions.ALL) {
      String key = o.key().substring(o.key().indexOf('.') + 1);
      assertThat(text).as(o.key()).containsPattern("(?m)^\\s*#?\\s*" + key + ":");
    }
    // A default shown commented out is the table's default, not a second one that drifts.
    String section = null;
    for (String line : text.split("\n")) {
      java.util.regex.Matcher sec = java.util.regex.Pattern.compile("^([a-z]+):$").matcher(line);
      java.util.regex.Matcher shown =
          java.util.regex.Pattern.compile("^  # ([a-z0-9-]+): (.*)$").matcher(line);
      if (sec.matches()) {
        section = sec.group(1);
      } else if (shown.matches()) {
        String key = section + "." + shown.group(1);
        ConfigOption o =
            NodeOptions.ALL.stream().filter(x -> x.key().equals(key)).findFirst().orElseThrow();
        String v = shown.group(2).equals("\"\"") ? "" : shown.group(2);
        assertThat(v).as(key).isEqualTo(o.defaultValue());
      }
    }
    Files.writeString(dir.resolve("raspbian.public.key"), "checked for reading only\n");
    NodeConfig c =
        NodeConfigFile.parse(example, text.replace("keyring: ", "keyring: " + dir + "/"));
    assertThat(c.node().id()).isNotBlank();
  }

  @Test
  void mistakesAreNamedWithFileLineKeyAndReason() {
    expect("node:\n  id: a\n", "archive.upstream: is required");
    expect(MINIMAL.replace("node-a", "node a"), "node.yaml:2: node.id: node id must be");
    expect(MINIMAL + "director:\n  port: 70000\n", "node.yaml:8: director.port: must be 1..65535");
    expect(MINIMAL + "director:\n  prot: 80\n", "node.yaml:8: director.prot: unknown key");
    expect(MINIMAL + "director:\n  max_threads: 80\n", "did you mean director.max-threads?");
    expect(MINIMAL + "archive2: {}\n", "node.yaml:7: archive2: unknown key");
    expect(MINIMAL + "probe:\n  interval: soon\n", "probe.interval: 'soon' is not a duration");
    expect(MINIMAL + "director:\n  trusted-proxies: [10.0.0.0/33]\n", "director.trusted-proxies: ");
    expect(
        MINIMAL.replace("[bookworm]", "[]"),
        "node.yaml:5: archive.suites: must name at least one suite");
    expect(
        MINIMAL.replace("rsync://upstream.example.org/raspbian/", "ftp://x/"),
        "node.yaml:4: archive.upstream:");
    expect(MINIMAL.replace("keyring.asc", "missing.gpg"), "archive.keyring: cannot read");
    expect(MINIMAL + "director:\n  roots: [raspbian]\n", "director.roots: 'raspbian' must look");
    expect(MINIMAL + "director: 8080\n", "director: must be a section of keys (host, port");
    expect(MINIMAL + "director:\n  port: [1, 2]\n", "director.port: must be a single value");
    expect(MINIMAL + "archive:\n  keep: 2\n", "not valid YAML");
    expect("node: [\n", "node.yaml:1: not valid YAML: while parsing a flow node");
    expect("- a\n- b\n", "the file must be a mapping of sections");
    expect(
        MINIMAL.replace("  keyring: keyring.asc\n", "  keyring: keyring.asc\n  rsync-port: 8080\n"),
        "archive.rsync-port: is also director.port (8080)");
    expect(MINIMAL + "archive2:\n", "archive2: unknown key");
    expect(MINIMAL + "zookeeper:\n  session-timeout: 500ms\n", "must be at least 1s");
    expect(MINIMAL + "archive:\n", "not valid YAML");
    String k = "  keyring: keyring.asc\n";
    expect(
        MINIMAL.replace(k, k + "  architectures: [armhf, ARM]\n"),
        "node.yaml:7: archive.architectures: 'ARM' is not an architecture name");
    expect(
        MINIMAL.replace(k, k + "  components: [main, ../x]\n"),
        "archive.components: '../x' is not a component name");
    expect(
        MINIMAL.replace(k, k + "  languages: [all, en]\n"),
        "archive.languages: 'all' cannot be listed with other languages");
    expect(
        MINIMAL.replace(k, k + "  extras: [contents, manpages]\n"),
        "archive.extras: unknown extra 'manpages'");
  }

  @Test
  void ipv6AddressesAreTakenInBracketsAndMistakesNamed() throws Exception {
    String six =
        MINIMAL.replace("node-a\n", "node-a\n  address: \"[::1]:8080\"\n")
            + "director:\n  host: \"::1\"\n  trusted-proxies: [\"::1/128\", 2001:db8::/32]\n"
            + "zookeeper:\n  connect: \"[2001:db8::1]:2181,[2001:db8::2]:2181/md\"\n";
    NodeConfig c = parse(six);
    assertThat(c.node().address()).isEqualTo("[::1]:8080");
    assertThat(c.director().host()).isEqualTo("::1");
    assertThat(c.archive().rsyncAddress()).isEqualTo("[::1]");
    expect(
        MINIMAL.replace("node-a\n", "node-a\n  address: \"::1:8080\"\n"),
        "node.address: an IPv6 address must be in brackets, as in [2001:db8::1]:8080, not"
            + " '::1:8080'");
    expect(
        MINIMAL.replace("node-a\n", "node-a\n  address: \"[::g]:8080\"\n"),
        "node.address: '[::g]' is not an IPv6 address in brackets");
    expect(MINIMAL + "director:\n  host: \"fe80::zz\"\n", "director.host: 'fe80::zz' is not");
    expect(
        MINIMAL + "zookeeper:\n  connect: \"2001:db8::1:2181\"\n",
        "zookeeper.connect: an IPv6 address must be in brackets");
    expect(
        MINIMAL.replace("rsync://upstream.example.org/raspbian/", "rsync://2001:db8::5/raspbian/"),
        "archive.upstream: an IPv6 address must be in brackets");
    expect(
        MINIMAL + "director:\n  trusted-proxies: [\"2001:db8::/129\"]\n",
        "trusted proxy '2001:db8::/129' has an invalid prefix length");
  }

  @Test
  void theNetworkSectionTakesANat64PrefixOrFindsItAndMistakesAreNamed() {
    assertThat(parse(MINIMAL).network())
        .isEqualTo(new NetworkSection("auto", Duration.ofMillis(250)));
    NodeConfig c =
        parse(
            MINIMAL
                + "network:\n  nat64-prefix: \"2001:db8:ff9b::/96\"\n  connect-stagger: 100ms\n");
    assertThat(c.network().nat64Prefix()).isEqualTo("2001:db8:ff9b::/96");
    assertThat(c.network().connectStagger()).isEqualTo(Duration.ofMillis(100));
    assertThat(parse(MINIMAL + "network:\n  nat64-prefix: none\n").network().nat64Prefix())
        .isEqualTo("none");
    expect(
        MINIMAL + "network:\n  nat64-prefix: \"64:ff9b::/80\"\n",
        "network.nat64-prefix: NAT64 prefix '64:ff9b::/80': NAT64 prefix length must be 32, 40,"
            + " 48, 56, 64 or 96 (RFC 6052), not 80");
    expect(
        MINIMAL + "network:\n  nat64-prefix: yes-please\n",
        "network.nat64-prefix: NAT64 prefix 'yes-please' is not ADDRESS/LENGTH");
    expect(
        MINIMAL + "network:\n  connect-stagger: 5ms\n",
        "network.connect-stagger: must be at least 10ms, not 5ms");
    expect(
        MINIMAL + "network:\n  connect-stagger: 3s\n",
        "network.connect-stagger: must be at most 2s, not 3s");
    expect(MINIMAL + "network:\n  stagger: 3s\n", "network.stagger: unknown key");
  }

  static final String TWO_ARCHIVES =
      MINIMAL
          + """
          archives:
            - name: debian
              root: /debian/
              upstream: rsync://archive.raspberrypi.com/debian/
              suites: [bookworm]
              architectures: [armhf, arm64]
              keyring: keyring.asc
              sha1-bindings: false
          """;

  @Test
  void aNodeListsSeveralArchivesEachWithItsOwnRootUpstreamAndKeys() throws Exception {
    NodeConfig c = parse(TWO_ARCHIVES);
    assertThat(c.archives()).extracting(ArchiveSection::name).containsExactly("raspbian", "debian");
    assertThat(c.archive("debian").orElseThrow().roots()).containsExactly("/debian/");
    assertThat(c.archive("debian").orElseThrow().upstream())
        .isEqualTo("rsync://archive.raspberrypi.com/debian/");
    assertThat(c.archive("debian").orElseThrow().selection().architectures())
        .containsExactly("armhf", "arm64");
    assertThat(c.archive("raspbian").orElseThrow().roots()).containsExactly("/raspbian/");
    assertThat(c.archive("debian").orElseThrow().rsyncPort())
        .as("the node's one rsync daemon")
        .isEqualTo(c.archive().rsyncPort());
    Files.writeString(file, NodeOptions.describe(c));
    assertThat(NodeConfigFile.load(file)).as("--print-config reads back").isEqualTo(c);

    expect(
        TWO_ARCHIVES.replace("root: /debian/", "root: /raspbian/"),
        "node.yaml:9: archives[0].root: '/raspbian/' is already the root of archive raspbian;"
            + " two archives cannot have one root");
    expect(TWO_ARCHIVES.replace("    root: /debian/\n", ""), "archives[0].root: is required");
    expect(
        TWO_ARCHIVES.replace("name: debian", "name: raspbian"),
        "archives[0].name: 'raspbian' names two archives");
    expect(
        TWO_ARCHIVES.replace("    sha1-bindings: false\n", "    rsync-port: 9999\n"),
        "node.yaml:14: archives[0].rsync-port: is the node's one rsync daemon: set it under"
            + " archive:");
    expect(
        TWO_ARCHIVES.replace("    sha1-bindings: false\n", "    keyrng: x\n"),
        "archives[0].keyrng: unknown key");
    expect(
        TWO_ARCHIVES.replace("architectures: [armhf, arm64]", "architectures: [ARM]"),
        "node.yaml:12: archives[0].architectures: 'ARM' is not an architecture name");
    expect(MINIMAL + "archives: debian\n", "archives: must be a list of archives");
  }

  @Test
  void aPartialMirrorsSelectionIsRead() throws Exception {
    String k = "  keyring: keyring.asc\n";
    NodeConfig c =
        parse(
            MINIMAL.replace(
                k,
                k
                    + "  components: [main, rpi]\n  architectures: [armhf, source]\n"
                    + "  languages: [en]\n  extras: []\n"));
    org.mirrordirector.sync.archive.Selection s = c.archive().selection();
    assertThat(s.components()).containsExactly("main", "rpi");
    assertThat(s.architectures()).containsExactly("armhf", "source");
    assertThat(s.languages()).contains(List.of("en"));
    assertThat(s.extras()).isEmpty();
    assertThat(parse(MINIMAL).archive().selection().full()).as("everything by default").isTrue();
  }

  private static final String REPLICA =
      """
      node:
        id: replica-1
        role: replica
        region: ap-south
      zookeeper:
        connect: "observer-1:2181"
      archive:
        upstream: rsync://writers.example.org/archive/
        suites: [bookworm]
        keyring: keyring.asc
      director:
        fallback-mirrors: [http://writers.example.org/raspbian/]
      """;

  @Test
  void aReplicaServesNoPoolAndNoRsyncAndEachMistakeIsNamed() {
    NodeConfig c = parse(REPLICA);
    assertThat(c.node().replica()).isTrue();
    assertThat(c.node().region()).isEqualTo("ap-south");
    assertThat(c.director().serveLocally()).as("a replica holds no pool").isFalse();
    assertThat(c.archive().rsyncPort()).as("nobody copies from a replica").isZero();
    assertThat(parse(MINIMAL).node().kind()).isEqualTo(NodeKind.WRITER);
    assertThat(parse(MINIMAL).node().region()).isNull();
    expect(
        REPLICA.replace("role: replica", "role: observer"),
        "node.yaml:3: node.role: must be writer or replica, not 'observer'");
    expect(
        REPLICA.replace("region: ap-south", "region: \"ap south\""),
        "node.region: must be 1-64 of [A-Za-z0-9._-], not 'ap south'");
    expect(
        MINIMAL.replace("  id: node-a\n", "  id: node-a\n  region: eu\n"),
        "node.region: is a replica's (node.role: replica); the writer pair has none");
    expect(
        REPLICA.replace("  connect: \"observer-1:2181\"\n", ""),
        "zookeeper.connect: must name ZooKeeper servers on a replica");
    expect(
        REPLICA.replace("  fallback-mirrors: [http://writers.example.org/raspbian/]\n", ""),
        "director.fallback-mirrors: must name the writer pair's public base URL(s) on a replica");
    expect(
        REPLICA + "  serve-locally: true\n", "director.serve-locally: must be false on a replica");
    expect(
        REPLICA.replace("  keyring: keyring.asc\n", "  keyring: keyring.asc\n  rsync-port: 873\n"),
        "archive.rsync-port: must be 0 on a replica");
    expect(
        REPLICA + "  admin-token-file: keyring.asc\n",
        "director.admin-token-file: must be empty on a replica");
    expect(
        REPLICA + "hooks:\n  on-promote: [/bin/true]\n",
        "hooks.on-promote: must be empty on a replica");
  }

  @Test
  void aMissingFileIsNamed() {
    assertThatThrownBy(() -> NodeConfigFile.load(dir.resolve("nope.yaml")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(dir.resolve("nope.yaml") + ": no such file");
  }

  @Test
  void theCommandExitsWithAUsageErrorAndTheMessage() throws Exception {
    Files.writeString(file, MINIMAL + "probe:\n  confirmations: 0\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Mirrorctl.run(
            new String[] {"node", "--config", file.toString(), "--check"},
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    assertThat(code).isEqualTo(ExitCode.USAGE);
    assertThat(err.toString())
        .isEqualTo("mirrorctl: " + file + ":8: probe.confirmations: must be 1..100, not 0\n");
    Files.writeString(file, MINIMAL);
    out.getBuffer().setLength(0);
    code =
        Mirrorctl.run(
            new String[] {"node", "--config", file.toString(), "--check"},
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    assertThat(code).isZero();
    assertThat(out.toString()).isEqualTo(file + ": OK (node node-a)\n");
  }

  private void expect(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml))
        .as(yaml)
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(message);
  }
}
