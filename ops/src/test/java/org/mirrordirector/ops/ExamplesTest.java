package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    return NodeConfig.parse(Path.of(name + ".yaml"), text);
  }
}
