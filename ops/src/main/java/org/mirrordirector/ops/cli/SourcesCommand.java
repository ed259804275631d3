package org.mirrordirector.ops.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mirrordirector.ops.node.ArchiveSection;
import org.mirrordirector.ops.node.NodeConfig;
import org.mirrordirector.ops.node.NodeConfigFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mirrorctl sources}: the apt sources entry users put on their machines, as a one-line
 * {@code deb} line, a deb822 {@code .sources} stanza, or a {@code mirror+http} entry that fetches
 * the director's ranked mirror list.
 */
@Command(
    name = "sources",
    description = "Print the apt sources entry for this archive (stdout: only the entry).")
public final class SourcesCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--suite", required = true, description = "Suite or codename, e.g. bookworm.")
  public String suite;

  @Option(
      names = "--format",
      defaultValue = "list",
      paramLabel = "list|deb822|mirror",
      description =
          "list: a deb line for sources.list.d/*.list; deb822: a stanza for"
              + " sources.list.d/*.sources; mirror: a deb line with mirror+http (apt picks from the"
              + " director's ranked list). Default: ${DEFAULT-VALUE}.")
  public String format;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "The archive on the director, e.g. http://mirrors.example.org/raspbian/ (default: from"
              + " --config: node.address and the first director root).")
  public String url;

  @Option(names = "--config", paramLabel = "FILE", description = "A node.yaml to take URL from.")
  public Path config;

  @Option(
      names = "--components",
      split = ",",
      description =
          "Components (default: archive.components of --config, else the components of the"
              + " node's current snapshot, else main).")
  public List<String> components = new ArrayList<>();

  @Option(
      names = "--signed-by",
      paramLabel = "KEYRING",
      description =
          "The keyring file on the users' machines, e.g."
              + " /usr/share/keyrings/raspbian-archive-keyring.gpg (Signed-By).")
  public String signedBy;

  @Option(
      names = "--archive",
      paramLabel = "NAME",
      description =
          "With --config: the archive (a node may serve several; default: its first), for its"
              + " root and components.")
  public String archive;

  @Option(
      names = "--source",
      description = "Also the deb-src entry, for apt-get source (deb822: Types: deb deb-src).")
  public boolean source;

  @Override
  public Integer call() throws Exception {
    if (!suite.matches("[A-Za-z0-9][A-Za-z0-9.+_-]*")) {
      throw new UsageException("--suite: '" + suite + "' is not a suite name");
    }
    NodeConfig c = config == null ? null : NodeConfigFile.load(config);
    ArchiveSection a = null;
    if (c != null) {
      a =
          archive == null
              ? c.archive()
              : c.archive(archive)
                  .orElseThrow(
                      () ->
                          new UsageException(
                              "--archive: the node serves no archive '"
                                  + archive
                                  + "' (it serves "
                                  + c.archives().stream().map(ArchiveSection::name).toList()
                                  + ")"));
    } else if (archive != null) {
      throw new UsageException("--archive needs --config (with --url, name its root)");
    }
    String base = url;
    if (base == null) {
      if (c == null) {
        throw new UsageException("give --url (or --config to take it from)");
      }
      base = "http://" + c.node().address() + a.roots().get(0);
    }
    base = checkUrl(base);
    List<String> comps = components;
    if (comps.isEmpty() && c != null) {
      comps = a.selection().components();
      if (comps.isEmpty()) {
        Path tree =
            a == c.archive()
                ? c.node().data().resolve("archive/current")
                : c.node().data().resolve("archives").resolve(a.name()).resolve("current");
        comps = releaseComponents(tree, suite);
      }
    }
    if (comps.isEmpty()) {
      comps = List.of("main");
    }
    for (String k : comps) {
      if (!k.matches("[A-Za-z0-9][A-Za-z0-9.+_/-]*")) {
        throw new UsageException("--components: '" + k + "' is not a component name");
      }
    }
    if (signedBy != null && (!signedBy.startsWith("/") || signedBy.matches(".*[\\s\\]].*"))) {
      throw new UsageException(
          "--signed-by must be an absolute path without spaces: '" + signedBy + "'");
    }
    String opts = signedBy == null ? "" : "[signed-by=" + signedBy + "] ";
    String line = opts + base + " " + suite + " " + String.join(" ", comps) + "\n";
    String mirrorLine =
        opts + "mirror+" + base + "mirrors.txt " + suite + " " + String.join(" ", comps) + "\n";
    String text =
        switch (format.toLowerCase(Locale.ROOT)) {
          case "list" -> "deb " + line + (source ? "deb-src " + line : "");
          case "mirror" -> "deb " + mirrorLine + (source ? "deb-src " + mirrorLine : "");
          case "deb822" ->
              "Types: "
                  + (source ? "deb deb-src" : "deb")
                  + "\nURIs: "
                  + base
                  + "\nSuites: "
                  + suite
                  + "\nComponents: "
                  + String.join(" ", comps)
                  + "\n"
                  + (signedBy == null ? "" : "Signed-By: " + signedBy + "\n");
          default ->
              throw new UsageException(
                  "--format must be list, deb822 or mirror, not '" + format + "'");
        };
    spec.commandLine().getOut().print(text);
    spec.commandLine().getOut().flush();
    return ExitCode.OK;
  }

  /**
   * The components the Release of {@code suite} in a snapshot lists (what a node that carries every
   * component serves), or none when it has no such snapshot yet.
   */
  public static List<String> releaseComponents(Path snapshot, String suite) {
    Path in = snapshot.resolve("dists").resolve(suite).resolve("InRelease");
    try {
      byte[] data = java.nio.file.Files.readAllBytes(in);
      return org.mirrordirector.sync.archive.ReleaseParser.parse(
              org.mirrordirector.sync.archive.ClearSignedMessage.parse(data, in.toString())
                  .signedText(),
              in.toString())
          .components();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  /** An http(s) URL without query or fragment, ending in a slash. */
  public static String checkUrl(String u) {
    URI uri;
    try {
      uri = URI.create(u);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--url: '" + u + "' is not a URL");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null
        || uri.getQuery() != null
        || uri.getFragment() != null) {
      throw new UsageException(
          "--url must be http(s)://host[:port]/path/ without query: '" + u + "'");
    }
    return u.endsWith("/") ? u : u + "/";
  }
}
