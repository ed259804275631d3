package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.net.HappyEyeballs;

/**
 * rsync's daemon sources are given to the rsync binary pinned to the address that answered: a real
 * {@code rsync --daemon} on 127.0.0.1 only, reached through a name that resolves to ::1 (nothing
 * there) and 127.0.0.1, a name the rsync binary could not resolve itself.
 */
@Timeout(60)
class RsyncSourceTest {
  @TempDir Path dir;

  @Test
  void readsEveryFormOfDaemonSourceAndNoLocalPath() {
    assertThat(RsyncSource.parse("rsync://up.test/archive/dists/"))
        .contains(new RsyncSource(null, "up.test", 873, "archive/dists/"));
    assertThat(RsyncSource.parse("rsync://mirror@[2001:db8::1]:8873/archive/"))
        .contains(new RsyncSource("mirror", "2001:db8::1", 8873, "archive/"));
    assertThat(RsyncSource.parse("up.test::archive/pool/"))
        .contains(new RsyncSource(null, "up.test", 873, "archive/pool/"));
    assertThat(RsyncSource.parse("/srv/archive/")).isEmpty();
    assertThat(RsyncSource.parse("--link-dest=/srv/x")).isEmpty();
    assertThat(RsyncSource.parse("relative/dir/")).isEmpty();
    assertThat(new RsyncSource("m", "2001:db8::1", 873, "archive/").url("2001:db8::1"))
        .isEqualTo("rsync://m@[2001:db8::1]:873/archive/");
  }

  @Test
  void rsyncReachesADaemonThroughTheAddressThatAnswered() throws Exception {
    Path module = Files.createDirectories(dir.resolve("module/dists"));
    Files.writeString(module.resolve("file"), "x");
    try (RsyncDaemon d = new RsyncDaemon(dir.resolve("rsyncd"), module.getParent())) {
      int port = Integer.parseInt(d.url().replaceAll(".*:([0-9]+)/archive/", "$1"));
      HappyEyeballs he =
          new HappyEyeballs(
              HappyEyeballs.STAGGER,
              host ->
                  new InetAddress[] {
                    InetAddress.getByName("::1"), InetAddress.getByName("127.0.0.1")
                  },
              null);
      Rsync rsync = new Rsync("rsync", Duration.ofSeconds(20), he);
      String source = "rsync://upstream.test:" + port + "/archive/";
      assertThat(rsync.pinned(List.of("-a", source, "/dst/")))
          .containsExactly("-a", "rsync://127.0.0.1:" + port + "/archive/", "/dst/");
      assertThat(rsync.listTop(source)).contains("dists");
      RsyncRun r = rsync.run(List.of("-r", source, dir.resolve("copy").toString() + "/"));
      assertThat(r.ok()).as(r.describe()).isTrue();
      assertThat(dir.resolve("copy/dists/file")).hasContent("x");
    }
  }

  @Test
  void aPinnedAddressThatStopsAnsweringIsForgottenAndTheNameRacedAgain() throws Exception {
    Path module = Files.createDirectories(dir.resolve("module2/dists"));
    Files.writeString(module.resolve("file"), "x");
    InetAddress[] answer = {InetAddress.getByName("127.0.0.1")};
    HappyEyeballs he = new HappyEyeballs(HappyEyeballs.STAGGER, host -> answer.clone(), null);
    Rsync rsync = new Rsync("rsync", Duration.ofSeconds(20), he);
    String source;
    try (RsyncDaemon v4 = new RsyncDaemon(dir.resolve("rsyncd4"), module.getParent())) {
      int port = Integer.parseInt(v4.url().replaceAll(".*:([0-9]+)/archive/", "$1"));
      source = "rsync://upstream.test:" + port + "/archive/";
      assertThat(rsync.pinned(List.of(source)))
          .containsExactly("rsync://127.0.0.1:" + port + "/archive/");
    }
    // The daemon is gone: the run fails to reach it, and the name now answers with ::1 only.
    RsyncRun failed = rsync.run(List.of("-r", source, dir.resolve("none").toString() + "/"));
    assertThat(failed.ok()).isFalse();
    answer[0] = InetAddress.getByName("::1");
    int port = Integer.parseInt(source.replaceAll(".*:([0-9]+)/archive/", "$1"));
    try (java.net.ServerSocket v6 =
        new java.net.ServerSocket(port, 1, InetAddress.getByName("::1"))) {
      assertThat(rsync.pinned(List.of(source)))
          .as("raced again, not the forgotten 127.0.0.1")
          .containsExactly("rsync://[::1]:" + port + "/archive/");
    }
  }

  @Test
  void aSourceNoAddressOfWhichAnswersFailsNamingEachAttemptWithoutStartingRsync() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getByName("::1"))) {
      port = s.getLocalPort();
    }
    HappyEyeballs he =
        new HappyEyeballs(
            HappyEyeballs.STAGGER, host -> new InetAddress[] {InetAddress.getByName("::1")}, null);
    RsyncRun r =
        new Rsync("/nonexistent/rsync", Duration.ofSeconds(5), he)
            .run(List.of("-r", "rsync://upstream.test:" + port + "/archive/", "/tmp/none/"));
    assertThat(r.exitCode()).isEqualTo(10);
    assertThat(r.describe())
        .isEqualTo(
            "rsync exited 10 (error in socket I/O): no address of upstream.test answered:"
                + " connection refused at [::1]:"
                + port);
  }
}
