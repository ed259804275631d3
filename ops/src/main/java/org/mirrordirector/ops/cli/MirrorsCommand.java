package org.mirrordirector.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.ops.client.NodeClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mirrorctl mirrors list|add|drain|enable}: the public mirrors in the registry. */
@Command(
    name = "mirrors",
    description = "List, add, drain or enable public mirrors (changes go through the active node).",
    subcommands = {
      MirrorsCommand.List_.class,
      MirrorsCommand.Add.class,
      MirrorsCommand.Drain.class,
      MirrorsCommand.Enable.class
    })
public final class MirrorsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "name a subcommand: list, add, drain or enable");
  }

  /** Where the node is and how to prove the right to change it. */
  public static final class Target {
    @Option(names = "--url", paramLabel = "URL", description = "A node or the service address.")
    public String url;

    @Option(names = "--config", paramLabel = "FILE", description = "A node.yaml to take URL from.")
    public Path config;

    @Option(
        names = "--token-file",
        paramLabel = "FILE",
        description = "The admin token (default: director.admin-token-file of --config).")
    public Path tokenFile;

    @Option(
        names = "--archive",
        paramLabel = "NAME",
        description =
            "The archive whose mirrors these are, on a node that serves several (default: its"
                + " first). A mirror carries the archive it is added to.")
    public String archive;

    public NodeClient client() throws java.io.IOException {
      return NodeClient.of(url, tokenFile, config);
    }

    /** The admin path of a mirror: the archive's when one is named. */
    public String mirrors() {
      if (archive == null) {
        return "/admin/mirrors/";
      }
      try {
        org.mirrordirector.failover.RegistryPaths.requireId("archive", archive);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--archive: " + e.getMessage());
      }
      return "/admin/archives/" + archive + "/mirrors/";
    }
  }

  @Command(name = "list", description = "The mirrors, their flags and health.")
  public static final class List_ implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin Target target;

    @Option(names = "--json", description = "As JSON (the mirrors of status.json).")
    public boolean json;

    @Override
    public Integer call() throws Exception {
      JsonNode s = target.client().status();
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(
            new ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(s.path("mirrors")));
      } else {
        out.println(
            String.format(
                Locale.ROOT,
                "%-16s %-11s %-7s %-28s %s",
                "ID",
                "STATE",
                "COUNTRY",
                "HEALTH",
                "URLS"));
        for (JsonNode m : s.path("mirrors")) {
          String state =
              !m.path("enabled").asBoolean(true)
                  ? "disabled"
                  : m.path("drained").asBoolean()
                      ? "drained"
                      : m.hasNonNull("unreachable") ? "unreachable" : "enabled";
          List<String> health = new ArrayList<>();
          for (JsonNode st : m.path("states")) {
            health.add(st.path("scheme").asText() + ":" + st.path("health").asText());
          }
          List<String> urls = new ArrayList<>();
          m.path("urls").forEach(u -> urls.add(u.asText()));
          out.println(
              String.format(
                  Locale.ROOT,
                  "%-16s %-11s %-7s %-28s %s",
                  m.path("id").asText(),
                  state,
                  m.path("country").asText("-"),
                  health.isEmpty() ? "not probed yet" : String.join(" ", health),
                  String.join(" ", urls)));
        }
      }
      out.flush();
      return ExitCode.OK;
    }
  }

  @Command(name = "add", description = "Add a mirror, or replace the one with this id.")
  public static final class Add implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin Target target;

    @Parameters(index = "0", paramLabel = "ID", description = "The mirror's id, e.g. mirror-fr-1.")
    public String id;

    @Option(names = "--http", paramLabel = "URL", description = "Archive base over http.")
    public String http;

    @Option(names = "--https", paramLabel = "URL", description = "Archive base over https.")
    public String https;

    @Option(names = "--country", paramLabel = "CC", description = "ISO country code, e.g. FR.")
    public String country;

    @Option(names = "--continent", paramLabel = "CC", description = "AF AN AS EU NA OC SA.")
    public String continent;

    @Option(names = "--latitude", description = "For ranking by distance.")
    public Double latitude;

    @Option(names = "--longitude", description = "For ranking by distance.")
    public Double longitude;

    @Option(names = "--asn", description = "The mirror's autonomous system number.")
    public Long asn;

    @Option(
        names = "--prefix",
        paramLabel = "CIDR",
        description = "A network whose clients prefer this mirror (repeatable).")
    public List<String> prefixes = new ArrayList<>();

    @Option(
        names = "--weight",
        defaultValue = "100",
        description = "Share among equals, 0-1000. Default: ${DEFAULT-VALUE}.")
    public int weight;

    @Option(
        names = "--country-only",
        paramLabel = "CC",
        description = "Send only clients from this country (repeatable).")
    public List<String> countryOnly = new ArrayList<>();

    @Option(names = "--drained", description = "Add it drained (probed, but sent no clients).")
    public boolean drained;

    @Option(
        names = "--architectures",
        split = ",",
        paramLabel = "ARCH,...",
        description =
            "A partial mirror: the architectures it carries, 'source' for source packages"
                + " (default: all). No client is sent to it for another's files.")
    public List<String> architectures = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      Map<String, String> urls = new LinkedHashMap<>();
      if (http != null) {
        urls.put("http", http.endsWith("/") ? http : http + "/");
      }
      if (https != null) {
        urls.put("https", https.endsWith("/") ? https : https + "/");
      }
      if (urls.isEmpty()) {
        throw new UsageException("give --http URL and/or --https URL");
      }
      MirrorConfig c =
          new MirrorConfig(
              id,
              urls,
              country == null ? null : country.toUpperCase(Locale.ROOT),
              continent == null ? null : continent.toUpperCase(Locale.ROOT),
              latitude,
              longitude,
              asn,
              prefixes,
              weight,
              countryOnly,
              true,
              drained,
              architectures);
      return answer(
          spec,
          target
              .client()
              .admin("PUT", target.mirrors() + id, new ObjectMapper().writeValueAsString(c)));
    }
  }

  @Command(name = "drain", description = "Send the mirror no new clients (it is still probed).")
  public static final class Drain implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin Target target;

    @Parameters(index = "0", paramLabel = "ID", description = "The mirror's id.")
    public String id;

    @Override
    public Integer call() throws Exception {
      return toggle(spec, target, id, "drain");
    }
  }

  @Command(name = "enable", description = "Put a drained or disabled mirror back in service.")
  public static final class Enable implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin Target target;

    @Parameters(index = "0", paramLabel = "ID", description = "The mirror's id.")
    public String id;

    @Override
    public Integer call() throws Exception {
      return toggle(spec, target, id, "enable");
    }
  }

  private static int toggle(
      picocli.CommandLine.Model.CommandSpec spec, Target target, String id, String action)
      throws Exception {
    return answer(spec, target.client().admin("POST", target.mirrors() + id + "/" + action, null));
  }

  /**
   * The node's answer on stdout (200) or stderr; 400 and 404 are usage errors, the rest failures.
   */
  public static int answer(picocli.CommandLine.Model.CommandSpec spec, HttpResponse<String> r) {
    String text = r.body().strip();
    if (r.statusCode() == 200) {
      spec.commandLine().getOut().println(text);
      spec.commandLine().getOut().flush();
      return ExitCode.OK;
    }
    spec.commandLine().getErr().println("mirrorctl: " + r.statusCode() + ": " + text);
    spec.commandLine().getErr().flush();
    if (r.statusCode() == 400 || r.statusCode() == 404 || r.statusCode() == 401) {
      return ExitCode.USAGE;
    }
    return ExitCode.FAILED;
  }
}
