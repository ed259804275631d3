package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mirrordirector.sync.RunResult;

/**
 * The real apt-get, run unprivileged-style in a private root. Its configuration is the root's
 * alone: {@code APT_CONFIG} names a file that moves {@code Dir::Etc} into the root before apt reads
 * anything else, so the machine's {@code /etc/apt/apt.conf.d} (proxies, compressed lists, disabled
 * Valid-Until checks, update hooks) never changes what the test sees. Any W: or E: line is a
 * failure: apt exits 0 on some warnings.
 */
public final class Apt {
  private final Path root;
  private final boolean defaults;
  private final List<String> prefix;

  public Apt(Path root) throws IOException {
    this(root, false);
  }

  /**
   * apt in its default configuration: the machine's own architecture, translations fetched as apt
   * fetches them by default, retries as apt retries; only the private root (Dir::*), no locking and
   * no sandbox user differ, because the test is not the machine's administrator.
   */
  public static Apt withDefaults(Path root) throws IOException {
    return new Apt(root, true);
  }

  private Apt(Path root, boolean defaults) throws IOException {
    this(root, defaults, List.of());
  }

  private Apt(Path root, boolean defaults, List<String> prefix) throws IOException {
    this.root = root;
    this.defaults = defaults;
    this.prefix = List.copyOf(prefix);
    for (String d :
        List.of(
            "etc/sources.list.d",
            "etc/preferences.d",
            "etc/trusted.gpg.d",
            "etc/apt.conf.d",
            "state",
            "lists/partial",
            "cache/archives/partial",
            "log",
            "download")) {
      Files.createDirectories(root.resolve(d));
    }
    Files.writeString(root.resolve("apt.conf"), "Dir::Etc \"" + root.resolve("etc") + "/\";\n");
  }

  /**
   * The same apt, run inside a network namespace ({@code ip netns exec NS}): a client of the
   * hosting's network in small, with that namespace's {@code /etc/netns/NS/hosts}.
   */
  public Apt inNamespace(String ns) throws IOException {
    return new Apt(root, defaults, List.of("ip", "netns", "exec", ns));
  }

  /** Writes the one-line sources.list entry. */
  public void sources(String line) throws IOException {
    Files.writeString(root.resolve("etc/sources.list"), line + "\n");
  }

  /** Replaces the sources with one file of sources.list.d (a .list or deb822 .sources). */
  public void sourcesFile(String name, String text) throws IOException {
    Files.writeString(root.resolve("etc/sources.list"), "");
    Files.writeString(root.resolve("etc/sources.list.d").resolve(name), text);
  }

  /** The lists apt keeps (InRelease, Packages, Sources, Translation-en), under the private root. */
  public Path lists() {
    return root.resolve("lists");
  }

  public Path downloads() {
    return root.resolve("download");
  }

  /** What one run of apt-get or apt-cache did: ok unless it exited non-zero or said W:/E:/Err:. */
  public record Attempt(boolean ok, int exit, String output) {}

  /** Runs apt-get with the private-root options; returns its output, failing on W:/E: lines. */
  public String run(String... args) throws IOException, InterruptedException {
    Attempt a = attempt("apt-get", args);
    if (!a.ok()) {
      throw new AssertionError(
          "apt-get "
              + String.join(" ", args)
              + " exited "
              + a.exit()
              + " or reported:\n"
              + a.output());
    }
    return a.output();
  }

  /** Runs apt-get or apt-cache with the private-root options; never throws for apt's failures. */
  public Attempt attempt(String tool, String... args) throws IOException, InterruptedException {
    return attempt(Duration.ofSeconds(120), tool, args);
  }

  /** As above, ended (and failed) after {@code limit}. */
  public Attempt attempt(Duration limit, String tool, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(tool);
    cmd.add("-q");
    List<String> options =
        new ArrayList<>(
            List.of(
                "Dir::Etc=" + root.resolve("etc"),
                "Dir::State=" + root.resolve("state"),
                "Dir::State::Lists=" + root.resolve("lists"),
                "Dir::State::status=/dev/null",
                "Dir::Cache=" + root.resolve("cache"),
                "Dir::Log=" + root.resolve("log"),
                "Debug::NoLocking=1",
                "APT::Sandbox::User=root"));
    if (!defaults) {
      options.addAll(
          List.of(
              "APT::Architecture=armhf",
              "APT::Architectures=armhf",
              "Acquire::Languages=none",
              "Acquire::Retries=0"));
    }
    for (String o : options) {
      cmd.add("-o");
      cmd.add(o);
    }
    cmd.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(cmd).directory(downloads().toFile());
    b.environment().put("APT_CONFIG", root.resolve("apt.conf").toString());
    RunResult r = org.mirrordirector.sync.BoundedRun.run(b, root, limit);
    if (r.exit() == -1) {
      return new Attempt(false, -1, "timed out after " + limit.toSeconds() + " s:\n" + r.output());
    }
    String out = r.output();
    boolean warned = false;
    for (String line : out.split("\n")) {
      warned |= line.startsWith("W:") || line.startsWith("E:") || line.startsWith("Err:");
    }
    return new Attempt(!warned && r.exit() == 0, r.exit(), out);
  }
}
