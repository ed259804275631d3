package org.mirrordirector.ops.client;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mirrordirector.ops.common.Trees;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RunResult;

/**
 * The real apt-get in a private root: the machine's own apt state is untouched, and so is its
 * configuration: {@code APT_CONFIG} names a file that moves {@code Dir::Etc} to the root, so apt
 * reads neither {@code /etc/apt/apt.conf} nor {@code /etc/apt/apt.conf.d} (a machine's proxy,
 * compressed lists, disabled Valid-Until checks or an AppStream refresh after every update would
 * otherwise change what the client does). apt keeps its defaults (retries, translations, by-hash)
 * except what a private root needs ({@code Dir::*}, no locking, no sandbox user) and the archive's
 * architecture. A run fails when it exits non-zero or says W:, E: or Err: (apt exits 0 on some
 * warnings).
 */
public final class AptClient {

  private final Path root;
  private final String architecture;

  public AptClient(Path root, String architecture) throws IOException {
    if (!architecture.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("'" + architecture + "' is not an architecture");
    }
    this.root = root;
    this.architecture = architecture;
    for (String d :
        List.of(
            "etc/apt.conf.d",
            "etc/preferences.d",
            "etc/sources.list.d",
            "etc/trusted.gpg.d",
            "state/lists/partial",
            "cache/archives/partial",
            "log",
            "work")) {
      Files.createDirectories(root.resolve(d));
    }
    Files.writeString(config(), "Dir::Etc \"" + root.resolve("etc") + "/\";\n");
  }

  /** The file {@code APT_CONFIG} names: read before anything else, it moves {@code Dir::Etc}. */
  public Path config() {
    return root.resolve("apt.conf");
  }

  /** Writes the sources.list. */
  public void sources(String text) throws IOException {
    Files.writeString(root.resolve("etc/sources.list"), text);
  }

  /** Where download and source put their files; emptied by {@link #clean}. */
  public Path work() {
    return root.resolve("work");
  }

  /** The InRelease files apt holds now. */
  public List<Path> inReleases() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> lists =
        Files.newDirectoryStream(root.resolve("state/lists"), "*InRelease")) {
      lists.forEach(out::add);
    }
    return out;
  }

  /** Deletes what download and source fetched. */
  public void clean() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(work())) {
      for (Path f : files) {
        Trees.deleteTree(f);
      }
    }
  }

  /** Runs apt-get or apt-cache; never throws for apt's own failures. */
  public AptAttempt attempt(String tool, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(tool, "-q"));
    List<String> options =
        new ArrayList<>(
            List.of(
                "Dir::Etc=" + root.resolve("etc"),
                "Dir::State=" + root.resolve("state"),
                "Dir::State::status=/dev/null",
                "Dir::Cache=" + root.resolve("cache"),
                "Dir::Log=" + root.resolve("log"),
                "Debug::NoLocking=1",
                "APT::Architecture=" + architecture,
                "APT::Architectures=" + architecture));
    if ("root".equals(System.getProperty("user.name"))) {
      options.add("APT::Sandbox::User=root");
    }
    for (String o : options) {
      cmd.add("-o");
      cmd.add(o);
    }
    cmd.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(cmd).directory(work().toFile());
    b.environment().put("APT_CONFIG", config().toString());
    RunResult r = BoundedRun.run(b, work(), java.time.Duration.ofSeconds(180));
    String out = r.output();
    if (r.exit() < 0) {
      return new AptAttempt(false, -1, "no end within 180 s, killed:\n" + out);
    }
    boolean warned = false;
    for (String line : out.split("\n")) {
      warned |= line.startsWith("W:") || line.startsWith("E:") || line.startsWith("Err:");
    }
    return new AptAttempt(!warned && r.exit() == 0, r.exit(), out);
  }
}
