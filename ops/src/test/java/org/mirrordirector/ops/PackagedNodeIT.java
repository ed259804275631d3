package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.cli.Mirrorctl;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.hosting.HostingNetwork;
import org.mirrordirector.ops.node.Node;
import org.mirrordirector.ops.node.NodeConfigFile;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.RunResult;
import org.mirrordirector.sync.archive.Apt;
import org.mirrordirector.sync.archive.StaticHttpServer;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * The production path: the {@code .deb} that {@code mvn package} built, installed with apt on this
 * machine; the node started as its systemd unit starts it (the installed unit file read and
 * reproduced by {@link UnitSandbox}: the {@code mirrordirector} user, a read-only {@code /usr} and
 * {@code /etc}, a private {@code /tmp}, no home), with {@code /etc/mirrordirector/node.yaml} as an
 * administrator writes it (its embedded ZooKeeper, an on-promote hook, an access log rotated at 1
 * MiB). Real apt goes through it to a mirror; a hot spare copies from its rsync module; its access
 * log rotates; SIGTERM stops it cleanly as systemd counts it; then the package is purged and leaves
 * no file, unit or state (the system user stays, as Debian's policy allows).
 *
 * <p>Root only (it installs a package): skipped otherwise, and skipped when mirrordirector is
 * already installed here (the test will not purge an administrator's install). Its twin that runs
 * without root, {@code PackageIT#theDebianPackagesUnitAndPurgeKeepTheStateInOnePlace}, reads the
 * packaged unit with the same {@link UnitSandbox} and runs the packaged postrm with {@code rm}
 * recorded.
 */
class PackagedNodeIT {
  private static final Path ETC = Path.of("/etc/mirrordirector");
  private static final Path UNIT = Path.of("/lib/systemd/system/mirrordirector.service");

  @TempDir Path dir;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void theInstalledPackageRunsANodeAsItsUnitDoesAndPurgesClean() throws Exception {
    assumeTrue(HostingNetwork.effectiveUid() == 0, "needs root: it installs the .deb with apt");
    assumeTrue(
        !sh("dpkg-query -W -f='${Status}' mirrordirector 2>/dev/null").contains("installed"),
        "mirrordirector is installed on this machine: the test installs and purges its own");
    Path deb;
    try (var s = Files.newDirectoryStream(Path.of("target"), "mirrordirector_*_all.deb")) {
      var it = s.iterator();
      assertThat(it.hasNext()).as("target/mirrordirector_*_all.deb (mvn package)").isTrue();
      deb = it.next().toAbsolutePath();
    }
    try {
      installAndRun(deb);
    } finally {
      // Whatever happened, the machine is left as it was found (the user may stay): the files
      // the test put in /etc as an administrator, then the package.
      sh("rm -f " + ETC.resolve("upstream-keyring.gpg") + " " + ETC.resolve("admin-token"));
      sh(
          "DEBIAN_FRONTEND=noninteractive apt-get purge -y -q mirrordirector >/dev/null 2>&1 || true");
    }
  }

  private void installAndRun(Path deb) throws Exception {
    run(
        Duration.ofMinutes(5),
        "env",
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        deb.toString());
    assertThat(sh("getent passwd mirrordirector")).as("the system user").contains("mirrordirector");
    assertThat(sh("stat -c %U /var/lib/mirrordirector")).isEqualTo("mirrordirector");
    UnitSandbox unit = UnitSandbox.read(UNIT);
    assertThat(unit.user()).isEqualTo("mirrordirector");

    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 20, 3));
    // What an administrator puts in /etc: the upstream's key, the admin token (the service's
    // group may read it, no one else), and node.yaml.
    Path key = ETC.resolve("upstream-keyring.gpg");
    Files.copy(upstream.keyring, key);
    Path token = ETC.resolve("admin-token");
    Files.writeString(token, TestNodes.TOKEN + "\n");
    sh("chgrp mirrordirector " + token + " && chmod 0640 " + token);
    int port = TestNodes.freePort("127.0.0.1");
    int zkPort = TestNodes.freePort("127.0.0.1");
    int rsyncPort = TestNodes.freePort("127.0.0.1");
    Path state = unit.stateDirectory();
    StringWriter cli = new StringWriter();
    try (RsyncDaemon upstreamd = new RsyncDaemon(dir.resolve("rsyncd-up"), upstream.root);
        StaticHttpServer mirror = new StaticHttpServer(upstream.root)) {
      Files.writeString(
          ETC.resolve("node.yaml"),
          "node:\n  id: node-a\n  address: \"127.0.0.1:"
              + port
              + "\"\nzookeeper:\n  embedded-port: "
              + zkPort
              + "\narchive:\n  upstream: \""
              + upstreamd.url()
              + "\"\n  suites: [bookworm]\n  keyring: upstream-keyring.gpg\n"
              + "  sync-interval: 1s\n  min-free: 0\n  rsync-host: 127.0.0.1\n  rsync-port: "
              + rsyncPort
              + "\ndirector:\n  host: 127.0.0.1\n  port: "
              + port
              + "\n  admin-token-file: "
              + token
              + "\n  access-log: logs/access.log\n  access-log-max-size: 1MiB\n"
              + "probe:\n  interval: 1s\n  timeout: 3s\n  confirmations: 1\n"
              + "hooks:\n  on-promote: [/bin/sh, -c, 'echo \"$MD_ROLE $MD_EPOCH\" > "
              + state.resolve("promoted")
              + "']\n");
      // The sandbox holds: the state directory writable, /etc not, the test's /tmp out of sight.
      assertThat(
              BoundedRun.run(unit.sandboxed("test -w " + state), dir, Duration.ofMinutes(1)).exit())
          .isZero();
      assertThat(
              BoundedRun.run(unit.sandboxed("test -w " + ETC), dir, Duration.ofMinutes(1)).exit())
          .isEqualTo(1);
      assertThat(
              BoundedRun.run(unit.sandboxed("test -e " + dir), dir, Duration.ofMinutes(1)).exit())
          .isEqualTo(1);
      for (List<String> pre : unit.execStartPre()) {
        RunResult r = BoundedRun.run(pre, dir, Duration.ofMinutes(1));
        assertThat(r.ok()).as("ExecStartPre: " + r.describe(pre)).isTrue();
      }
      Path log = dir.resolve("node.log");
      Process node =
          new ProcessBuilder(unit.execStart())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      Node spare = null;
      try {
        String url = "http://127.0.0.1:" + port;
        await("the packaged node is ready", Duration.ofMinutes(2), node, log, () -> ready(url));
        await(
            "the on-promote hook ran as the service user",
            Duration.ofSeconds(30),
            node,
            log,
            () -> Files.exists(state.resolve("promoted")));
        assertThat(Files.readString(state.resolve("promoted"))).startsWith("ACTIVE ");
        assertThat(sh("find " + state + " ! -user mirrordirector"))
            .as("everything under the state directory belongs to the service user")
            .isEmpty();

        // The hot spare copies the packaged node's tree from its rsync module.
        Path specB =
            TestNodes.write(
                dir,
                "node-b",
                "127.0.0.1",
                "127.0.0.1:" + zkPort,
                upstreamd.url(),
                upstream.keyring,
                "",
                "");
        spare = Node.start(NodeConfigFile.load(specB));
        Node b = spare;
        String module = "rsync://127.0.0.1:" + rsyncPort + "/archive/";
        await(
            "the spare copies from the packaged node's rsync module",
            Duration.ofMinutes(2),
            node,
            log,
            () ->
                b.sync().stats().last() != null
                    && module.equals(b.sync().stats().last().upstream())
                    && b.view().nodes().containsKey("node-b")
                    && b.view().nodes().get("node-b").ready());

        // A mirror, and real apt through the packaged node to it.
        assertThat(
                Mirrorctl.run(
                    new String[] {
                      "mirrors",
                      "add",
                      "m1",
                      "--url",
                      url,
                      "--token-file",
                      token.toString(),
                      "--http",
                      mirror.base().toString(),
                      "--country",
                      "FR"
                    },
                    new PrintWriter(cli, true),
                    new PrintWriter(cli, true)))
            .as("mirrors add: " + cli)
            .isZero();
        await(
            "m1 is probed OK",
            Duration.ofMinutes(1),
            node,
            log,
            () -> status(url).toString().contains("\"health\":\"OK\""));
        Apt apt = new Apt(dir.resolve("apt"));
        apt.sources("deb [signed-by=" + upstream.keyring + "] " + url + "/raspbian/ bookworm main");
        apt.run("update");
        String download =
            apt.run("download", upstream.firstField("main/binary-armhf/Packages", "Package"));
        assertThat(download)
            .as("the package comes from the mirror the node sent apt to")
            .contains("Get:1 " + mirror.base().toString().replaceAll("/$", ""));

        // The access log, written and rotated (gzip on a thread at nice 19) by the service user.
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ask =
            HttpRequest.newBuilder(URI.create(url + "/raspbian/dists/bookworm/InRelease")).build();
        Path logs = state.resolve("logs");
        await(
            "the access log rotates at 1 MiB",
            Duration.ofMinutes(3),
            node,
            log,
            () -> {
              for (int i = 0; i < 500; i++) {
                http.send(ask, HttpResponse.BodyHandlers.discarding());
              }
              return rotated(logs);
            });
        assertThat(sh("find " + state + " ! -user mirrordirector"))
            .as("everything under the state directory belongs to the service user")
            .isEmpty();
        spare.close();
        spare = null;

        // SIGTERM, as systemd's KillSignal: a clean stop within TimeoutStopSec, by its count.
        node.destroy();
        assertThat(node.waitFor(unit.timeoutStopSeconds(), TimeUnit.SECONDS))
            .as("stops within TimeoutStopSec: " + tail(log))
            .isTrue();
        assertThat(unit.successExitStatuses())
            .as("the exit status after SIGTERM is one systemd counts as success: " + tail(log))
            .contains(node.exitValue());
      } finally {
        if (spare != null) {
          spare.close();
        }
        node.destroyForcibly();
        node.waitFor(30, TimeUnit.SECONDS);
      }
    }

    // What the administrator put in /etc is theirs to remove; then the purge.
    Files.delete(key);
    Files.delete(token);
    run(
        Duration.ofMinutes(2),
        "env",
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "purge",
        "-y",
        "-q",
        "mirrordirector");
    List<String> left = new ArrayList<>();
    for (Path p :
        List.of(
            Path.of("/usr/bin/mirrorctl"),
            Path.of("/usr/share/mirrordirector"),
            Path.of("/usr/share/doc/mirrordirector"),
            Path.of("/usr/share/man/man1/mirrorctl.1.gz"),
            ETC,
            UNIT,
            state)) {
      if (Files.exists(p)) {
        left.add(p.toString());
      }
    }
    assertThat(left).as("what the purge left").isEmpty();
    assertThat(sh("dpkg-query -W -f='${Status}' mirrordirector 2>&1 || true"))
        .doesNotContain("installed");
  }

  private static boolean rotated(Path logs) throws IOException {
    if (!Files.isDirectory(logs)) {
      return false;
    }
    try (Stream<Path> s = Files.list(logs)) {
      return s.anyMatch(p -> p.getFileName().toString().matches("access\\.log\\..*\\.gz"));
    }
  }

  private static boolean ready(String url) {
    try {
      return HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url + "/ready"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static JsonNode status(String url) throws IOException, InterruptedException {
    return NodeClient.of(url, null, null).status();
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  /**
   * Until {@code check} holds; fails at the deadline, or when the node has exited, with its log.
   */
  private static void await(String what, Duration limit, Process node, Path log, Check check)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!node.isAlive()) {
        throw new AssertionError(
            what + ": the node exited (" + node.exitValue() + "): " + tail(log));
      }
      try {
        if (check.holds()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        what + ": not within " + limit.toSeconds() + " s (last error: " + last + "): " + tail(log));
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private String run(Duration limit, String... cmd) throws Exception {
    RunResult r = BoundedRun.run(List.of(cmd), dir, limit);
    assertThat(r.ok()).as(r.describe(List.of(cmd))).isTrue();
    return r.output();
  }

  private String sh(String script) throws Exception {
    RunResult r = BoundedRun.run(List.of("sh", "-c", script), dir, Duration.ofMinutes(1));
    return r.output().strip();
  }
}
