package org.mirrordirector.ops.packaging;

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
import org.mirrordirector.ops.UnitSandbox;
import org.mirrordirector.ops.cli.Mirrorctl;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.RunResult;
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
    // The version and the commit it was built from, as `git log` names it.
    assertThat(run(dir, bin.toString(), "--version"))
        .matches(
            "mirrorctl [0-9][^ ]* \\(commit ([0-9a-f]{12}(-dirty)?|unknown), [0-9-]{10}\\)\\s*");
    assertThat(home.resolve("man/man1/mirrorctl.1.gz")).exists();
    assertThat(home.resolve("man/man1/mirrorctl-mirrors-add.1.gz")).exists();
    assertThat(home.resolve("completion/mirrorctl")).exists();
    assertThat(home.resolve("monitoring/mirrordirector-rules.yml")).exists();
    assertThat(home.resolve("monitoring/tests/rules-test.yml")).exists();
    assertThat(home.resolve("monitoring/grafana-dashboard.json")).exists();
    // The README and docs/ side by side, their links resolving in the unpacked tree.
    assertDocsLinked(home);

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
            "./usr/share/doc/mirrordirector/docs/operators-guide.md",
            "./usr/share/doc/mirrordirector/docs/configuration.md",
            "./usr/share/mirrordirector/monitoring/mirrordirector-rules.yml",
            "./usr/share/mirrordirector/monitoring/tests/rules-test.yml",
            "./usr/share/mirrordirector/monitoring/alertmanager.yml",
            "./usr/share/mirrordirector/monitoring/grafana-dashboard.json",
            "./usr/share/doc/mirrordirector/examples/production/haproxy.cfg")) {
      assertThat(contents).contains(f);
    }
    String info = run(dir, "dpkg-deb", "-I", deb.toString());
    assertThat(info)
        .contains(
            "Package: mirrordirector",
            "Depends: adduser, default-jre-headless",
            "rsync",
            "postinst");
    Path ctl = dir.resolve("control");
    run(dir, "dpkg-deb", "-e", deb.toString(), ctl.toString());
    assertThat(Files.readString(ctl.resolve("conffiles")))
        .contains("/etc/mirrordirector/node.yaml");
  }

  /**
   * The twin of {@link PackagedNodeIT} that runs without root: the packaged unit is one the test's
   * sandbox reproduces (every directive known), run as the {@code mirrordirector} user, with its
   * state where node.yaml's default data directory is, and counting the JVM's exit after SIGTERM as
   * success; the packaged postrm, run with {@code rm} recorded instead of done, removes that state
   * on purge and on nothing else.
   */
  @Test
  void theDebianPackagesUnitAndPurgeKeepTheStateInOnePlace() throws Exception {
    Path deb = only("mirrordirector_*_all.deb");
    Path root = dir.resolve("root");
    Path ctl = dir.resolve("control");
    run(dir, "dpkg-deb", "-x", deb.toString(), root.toString());
    run(dir, "dpkg-deb", "-e", deb.toString(), ctl.toString());
    // As installed: the README and docs/ in /usr/share/doc, their links resolving there.
    assertDocsLinked(root.resolve("usr/share/doc/mirrordirector"));
    UnitSandbox unit = UnitSandbox.read(root.resolve("lib/systemd/system/mirrordirector.service"));
    assertThat(unit.user()).isEqualTo("mirrordirector");
    assertThat(unit.successExitStatuses()).contains(0, 143);
    assertThat(unit.stateDirectory()).isEqualTo(Path.of("/var/lib/mirrordirector"));
    assertThat(Files.readString(root.resolve("etc/mirrordirector/node.yaml")))
        .contains("# data: " + unit.stateDirectory());
    Path bin = Files.createDirectories(dir.resolve("shims"));
    Path calls = dir.resolve("calls");
    for (String tool : List.of("rm", "systemctl")) {
      Path shim = bin.resolve(tool);
      Files.writeString(shim, "#!/bin/sh\necho \"" + tool + " $*\" >> " + calls + "\n");
      shim.toFile().setExecutable(true);
    }
    for (String action : List.of("remove", "purge")) {
      Files.deleteIfExists(calls);
      ProcessBuilder b =
          new ProcessBuilder("sh", ctl.resolve("postrm").toString(), action)
              .directory(dir.toFile());
      b.environment().put("PATH", bin + ":/usr/bin:/bin");
      RunResult r = org.mirrordirector.sync.BoundedRun.run(b, dir, java.time.Duration.ofMinutes(1));
      assertThat(r.ok()).as("postrm " + action + ": " + r.output()).isTrue();
      String removed =
          Files.exists(calls)
              ? String.join(
                  "\n",
                  Files.readAllLines(calls).stream().filter(l -> l.startsWith("rm ")).toList())
              : "";
      if (action.equals("purge")) {
        assertThat(removed).isEqualTo("rm -rf " + unit.stateDirectory());
      } else {
        assertThat(removed).as("a remove keeps the state").isEmpty();
      }
    }
  }

  /** Debian's own checker: no error and no warning (info and pedantic tags are allowed). */
  @Test
  void lintianFindsNoErrorAndNoWarning() throws Exception {
    Path deb = only("mirrordirector_*_all.deb");
    Process p =
        new ProcessBuilder(
                "lintian", "--tag-display-limit", "0", "--fail-on", "error,warning", deb.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(out.lines().filter(l -> l.startsWith("E:") || l.startsWith("W:"))).as(out).isEmpty();
    assertThat(p.exitValue()).as(out).isZero();
  }

  /**
   * A manual page for every command and subcommand of the tree, in /usr/share/man/man1, each
   * rendered by man(1) without a warning; bash completion that bash loads and that completes.
   */
  @Test
  void theDebianPackageShipsManualPagesAndCompletionForEveryCommand() throws Exception {
    Path deb = only("mirrordirector_*_all.deb");
    Path root = dir.resolve("root");
    run(dir, "dpkg-deb", "-x", deb.toString(), root.toString());
    Path man1 = root.resolve("usr/share/man/man1");
    List<String> expected = new java.util.ArrayList<>();
    for (String page : new ManPages("v", "2026-01-01").all(Mirrorctl.commandLine()).keySet()) {
      expected.add(page + ".gz");
    }
    assertThat(expected)
        .contains("mirrorctl.1.gz", "mirrorctl-node.1.gz", "mirrorctl-mirrors-add.1.gz");
    try (Stream<Path> s = Files.list(man1)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(expected);
    }
    for (String page : expected) {
      Process p =
          new ProcessBuilder(
                  "man",
                  "--warnings",
                  "-E",
                  "UTF-8",
                  "-l",
                  "-Tutf8",
                  "-Z",
                  man1.resolve(page).toString())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      String warnings = new String(p.getErrorStream().readAllBytes());
      assertThat(p.waitFor()).as(page + ": " + warnings).isZero();
      assertThat(warnings).as(page).isEmpty();
    }
    String rendered = run(dir, "man", "-l", man1.resolve("mirrorctl-mirrors-add.1.gz").toString());
    assertThat(rendered)
        .contains("mirrorctl-mirrors-add - Add a mirror", "--architectures", "EXIT STATUS");

    Path completion = root.resolve("usr/share/bash-completion/completions/mirrorctl");
    String completes =
        run(
            dir,
            "bash",
            "-c",
            "source "
                + completion
                + "; COMP_WORDS=(mirrorctl mi); COMP_CWORD=1; COMP_LINE='mirrorctl mi';"
                + " COMP_POINT=12; _complete_mirrorctl; echo \"${COMPREPLY[@]}\";"
                + " COMP_WORDS=(mirrorctl mirrors add --arch); COMP_CWORD=3;"
                + " COMP_LINE='mirrorctl mirrors add --arch'; COMP_POINT=28;"
                + " _complete_mirrorctl 2>/dev/null; echo \"${COMPREPLY[@]}\"; complete -p mirrorctl");
    List<String> lines = completes.lines().toList();
    assertThat(lines.get(0)).isEqualTo("mirrors");
    assertThat(lines.get(1).split(" ")).containsExactlyInAnyOrder("--architectures", "--archive");
    assertThat(lines.get(2)).startsWith("complete ").endsWith(" mirrorctl");
    assertThat(Files.readString(root.resolve("usr/share/doc/mirrordirector/copyright")))
        .startsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/");
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

  /**
   * The README in {@code docTop} and every document of {@code docs/} beside it, links resolving.
   */
  static void assertDocsLinked(Path docTop) throws IOException {
    List<Path> docs = new java.util.ArrayList<>(List.of(docTop.resolve("README.md")));
    try (Stream<Path> s = Files.list(docTop.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).forEach(docs::add);
    }
    assertThat(docs).hasSizeGreaterThanOrEqualTo(5);
    List<String> broken = new java.util.ArrayList<>();
    for (Path d : docs) {
      broken.addAll(org.mirrordirector.ops.DocLinks.broken(d));
    }
    assertThat(broken).as("links in " + docTop).isEmpty();
  }
}
