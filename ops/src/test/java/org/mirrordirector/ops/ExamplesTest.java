package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.hosting.Haproxy;
import org.mirrordirector.ops.node.NodeConfig;
import org.mirrordirector.ops.node.NodeConfigFile;

/** The deployment examples are valid: the nodes' files load, HAProxy accepts its file. */
class ExamplesTest {
  @TempDir Path dir;

  @Test
  void theTwoProductionNodesDifferOnlyInWhoTheyAre() throws Exception {
    NodeConfig a = load("node-a");
    NodeConfig b = load("node-b");
    assertThat(a.zookeeper().embedded()).isFalse();
    assertThat(a.zookeeper().connectString()).isEqualTo(b.zookeeper().connectString());
    assertThat(a.archive().upstream()).isEqualTo(b.archive().upstream());
    assertThat(a.archive().suites()).isEqualTo(b.archive().suites());
    assertThat(a.archive().keyring()).isEqualTo(b.archive().keyring());
    assertThat(a.archive().rsyncAddress()).isEqualTo("node-a.example.org");
    assertThat(b.archive().rsyncAddress()).isEqualTo("node-b.example.org");
    assertThat(a.director()).isEqualTo(b.director());
    assertThat(a.node().id()).isEqualTo("node-a");
    assertThat(b.node().id()).isEqualTo("node-b");
  }

  @Test
  void aRegionsReplicaReadsItsObserverAloneAndSendsTheRestToTheWriters() throws Exception {
    NodeConfig a = load("node-a");
    NodeConfig r = load("region/replica");
    assertThat(r.node().replica()).isTrue();
    assertThat(r.node().region()).isEqualTo("ap-southeast");
    assertThat(r.zookeeper().connectString()).isEqualTo("zk-ap1.example.org:2181");
    assertThat(r.director().fallbackMirrors()).isNotEmpty();
    assertThat(r.director().serveLocally()).isFalse();
    assertThat(r.director().adminTokenFile()).isNull();
    assertThat(r.archive().suites()).isEqualTo(a.archive().suites());
    assertThat(r.archive().selection()).isEqualTo(a.archive().selection());
    assertThat(r.archive().keyring()).isEqualTo(a.archive().keyring());
    // ZooKeeper's own parser: the voters list the observer, the observer knows it is one.
    var voters = zooKeeper("zoo.cfg", 1);
    var observer = zooKeeper("region/zoo.cfg", 4);
    assertThat(observer.getPeerType())
        .isEqualTo(org.apache.zookeeper.server.quorum.QuorumPeer.LearnerType.OBSERVER);
    assertThat(voters.getPeerType())
        .isEqualTo(org.apache.zookeeper.server.quorum.QuorumPeer.LearnerType.PARTICIPANT);
    assertThat(voters.getQuorumVerifier().getObservingMembers()).containsOnlyKeys(4L);
    assertThat(observer.getQuorumVerifier().getObservingMembers()).containsOnlyKeys(4L);
    assertThat(observer.getQuorumVerifier().getVotingMembers()).containsOnlyKeys(1L, 2L, 3L);
    check(Path.of("examples/production/region/haproxy.cfg"));
  }

  /** A zoo.cfg as a server numbered {@code myid} reads it (its dataDir pointed at a stand-in). */
  private org.apache.zookeeper.server.quorum.QuorumPeerConfig zooKeeper(String name, int myid)
      throws Exception {
    Path data = Files.createDirectories(dir.resolve("zk-" + myid));
    Files.writeString(data.resolve("myid"), myid + "\n");
    Path cfg = dir.resolve("zoo-" + myid + ".cfg");
    Files.writeString(
        cfg,
        Files.readString(Path.of("examples/production/" + name))
            .replace("dataDir=/var/lib/zookeeper", "dataDir=" + data));
    var c = new org.apache.zookeeper.server.quorum.QuorumPeerConfig();
    c.parse(cfg.toString());
    return c;
  }

  @Test
  void haproxyAcceptsTheProductionConfigAndTheDemos() throws Exception {
    check(Path.of("examples/production/haproxy.cfg"));
    Path demo = dir.resolve("demo.cfg");
    Files.writeString(demo, Haproxy.config(18080, List.of(18081, 18082)));
    check(demo);
  }

  private static void check(Path cfg) throws Exception {
    Process p =
        new ProcessBuilder("haproxy", "-c", "-f", cfg.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
  }

  /** The file with its absolute paths pointed at readable stand-ins. */
  private NodeConfig load(String name) throws Exception {
    String text = Files.readString(Path.of("examples/production/" + name + ".yaml"));
    for (String f :
        List.of(
            "/usr/share/keyrings/raspbian-archive-keyring.gpg",
            "/var/lib/GeoIP/GeoLite2-City.mmdb",
            "/var/lib/GeoIP/GeoLite2-ASN.mmdb",
            "/etc/mirrordirector/admin-token")) {
      Path stand = dir.resolve(f.substring(1));
      Files.createDirectories(stand.getParent());
      Files.writeString(stand, "stand-in\n");
      text = text.replace(f, stand.toString());
    }
    return NodeConfigFile.parse(Path.of(name + ".yaml"), text);
  }
}
