package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * The packages as users get them (after {@code mvn package}): the distribution archive unpacked and
 * its {@code bin/mirrorctl} running a node with its embedded ZooKeeper from the shaded jar alone
 * (no test classpath to hide a missing library), and the {@code .deb}'s contents and control.
 */
class PackageIT {
  @TempDir Path dir;

  @Test
  void theDistributionArchiveRunsANodeFromItsOwnJar() throws Exception {
    Path tgz = only("mirrordirector-*.tar.gz");
    run(dir, "tar", "xzf", tgz.toString());
    Path home;
    try (Stream<Path> s = Files.list(dir)) {
      home =
          s.filter(p -> p.getFileName().toString().startsWith("mirrordirector-"))
              .findFirst()
              .orElseThrow();
    }
    Path bin = home.resolve("bin/mirrorctl");
    assertThat(Files.isExecutable(bin)).isTrue();
    assertThat(home.resolve("examples/node.yaml")).exists();
    assertThat(home.resolve("examples/production/haproxy.cfg")).exists();
    assertThat(home.resolve("systemd/mirrordirector.service")).exists();
    assertThat(Files.isExecutable(home.resolve("bin/mirrordirector-fault"))).isTrue();
    assertThat(run(dir, bin.toString(), "--version")).startsWith("mirrorctl ");

    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 5, 4));
    int port = freePort();
    try (RsyncDaemon upstreamd = new RsyncDaemon(dir.resolve("rsyncd-up"), upstream.root)) {
      Path cfg = dir.resolve("solo.yaml");
      Files.writeString(
          cfg,
          "node:\n  id: solo\n  data: "
              + dir.resolve("data")
              + "\nzookeeper:\n  embedded-port: "
              + freePort()
              + "\narchive:\n  upstream: "
              + upstreamd.url()
              + "\n  suites: [bookworm]\n  keyring: "
              + upstream.keyring
              + "\n  min-free: 0\n  rsync-host: 127.0.0.1\n  rsync-port: "
              + freePort()
              + "\ndirector:\n  host: 127.0.0.1\n  port: "
              + port
              + "\n");
      assertThat(run(dir, bin.toString(), "node", "--config", cfg.toString(), "--check"))
          .contains("OK (node solo)");
      Process node =
          new ProcessBuilder(bin.toString(), "node", "--config", cfg.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("node.log").toFile())
              .start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int leader = -1;
        while (System.nanoTime() < deadline && node.isAlive()) {
          leader = status(port, "/leader");
          if (leader == 200 && status(port, "/ready") == 200 && recorded(port)) {
            break;
          }
          Thread.sleep(200);
        }
        assertThat(leader).as(Files.readString(dir.resolve("node.log"))).isEqualTo(200);
      } finally {
        node.destroy();
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(Files.readString(dir.resolve("node.log")))
          .contains("[solo] started")
          .contains("[solo] stopped")
          .doesNotContain("Exception");
    }
  }

  @Test
  void theDebianPackageHasTheCommandTheServiceAndTheConfig() throws Exception {
    Path deb = only("mirrordirector_*_all.deb");
    String contents = run(dir, "dpkg-deb", "-c", deb.toString());
    for (String f :
        List.of(
            "./usr/bin/mirrorctl",
            "./usr/share/mirrordirector/mirrorctl.jar",
            "./usr/share/mirrordirector/mirrordirector-fault",
            "./lib/systemd/system/mirrordirector.service",
            "./etc/mirrordirector/node.yaml",
            "./usr/share/doc/mirrordirector/README.md",
            "./usr/share/doc/mirrordirector/examples/production/haproxy.cfg")) {
      assertThat(contents).contains(f);
    }
    String info = run(dir, "dpkg-deb", "-I", deb.toString());
    assertThat(info)
        .contains("Package: mirrordirector", "Depends: default-jre-headless", "rsync", "postinst");
    Path ctl = dir.resolve("control");
    run(dir, "dpkg-deb", "-e", deb.toString(), ctl.toString());
    assertThat(Files.readString(ctl.resolve("conffiles")))
        .contains("/etc/mirrordirector/node.yaml");
  }

  private static Path only(String glob) throws IOException {
    try (var s = Files.newDirectoryStream(Path.of("target"), glob)) {
      var it = s.iterator();
      assertThat(it.hasNext()).as("target/" + glob + " (built by mvn package)").isTrue();
      return it.next().toAbsolutePath();
    }
  }

  private static String run(Path cwd, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    return out;
  }

  /** The first snapshot is in the registry: the node's start-up work is done. */
  private static boolean recorded(int port) {
    try (var in = URI.create("http://127.0.0.1:" + port + "/status.json").toURL().openStream()) {
      return !new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(in)
          .path("current")
          .isNull();
    } catch (IOException e) {
      return false;
    }
  }

  private static int status(int port, String path) {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      try {
        return c.getResponseCode();
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
