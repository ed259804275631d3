package org.mirrordirector.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.common.DurationConverter;
import org.mirrordirector.ops.common.Durations;
import org.mirrordirector.ops.drill.Drill;
import org.mirrordirector.ops.drill.DrillFaults;
import org.mirrordirector.ops.drill.DrillLoadPlan;
import org.mirrordirector.ops.drill.DrillMode;
import org.mirrordirector.ops.drill.DrillReport;
import org.mirrordirector.ops.drill.DrillThresholds;
import org.mirrordirector.ops.drill.Figure;
import org.mirrordirector.ops.drill.RegionDrill;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mirrorctl drill}: proves the failover, with figures and a verdict. */
@Command(
    name = "drill",
    description = {
      "Fail the primary on purpose under apt-like load and measure the failover: detection,"
          + " promotion, client switch, gap, failed and retried requests, overlap of two active"
          + " nodes, epochs, rejoin. PASS/FAIL per figure; exit 1 on any FAIL. The cluster is"
          + " restored to two healthy nodes; each drill is recorded in the registry (status page).",
      "Against the demo: mirrorctl drill --demo DIR [--mode crash]."
    })
public final class DrillCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--demo",
      paramLabel = "DIR",
      description = "A running mirrorctl demo's directory (its demo.json names every part).")
  public Path demo;

  @Option(
      names = "--mode",
      defaultValue = "crash",
      paramLabel = "graceful|crash|pause|isolate|all|region",
      description =
          "The fault. all: each failover mode in turn. region: a replica's region cut off from"
              + " the writers' quorum, under load through that replica. Default: ${DEFAULT-VALUE}.")
  public String mode;

  @Option(
      names = "--rate",
      defaultValue = "20",
      description = "apt-like requests per second (InRelease and .deb). Default: ${DEFAULT-VALUE}.")
  public double rate;

  @Option(
      names = "--hold",
      defaultValue = "8s",
      converter = DurationConverter.class,
      description =
          "How long a pause or a cut lasts; longer than the session timeout. Default:"
              + " ${DEFAULT-VALUE}.")
  public Duration hold;

  @Option(
      names = "--rounds",
      defaultValue = "1",
      description = "Drills per mode. Default: ${DEFAULT-VALUE}.")
  public int rounds;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "Where the JSON report goes (default: drills/ID.json in the demo directory).")
  public Path report;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "The service address (the load balancer), for a deployment other than the demo.")
  public String url;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "The admin token, to record the drill in the registry (with --url).")
  public Path tokenFile;

  @Option(
      names = "--fault-command",
      paramLabel = "COMMAND",
      description =
          "With --url: the shell command that acts on a node; {node} and {action} (term, kill,"
              + " stop, cont, cut, restore, start) are replaced, e.g. 'ssh root@{node}"
              + " /usr/share/mirrordirector/fault {action}'.")
  public String faultCommand;

  @Option(
      names = "--root",
      defaultValue = "/raspbian/",
      description = "The archive's path on the director. Default: ${DEFAULT-VALUE}.")
  public String root;

  @Option(
      names = "--suite",
      defaultValue = "bookworm",
      description = "The suite the load asks for. Default: ${DEFAULT-VALUE}.")
  public String suite;

  @Option(
      names = "--apt",
      description = "Also run the real apt-get update in a loop through the service address.")
  public boolean apt;

  @Option(
      names = "--keyring",
      paramLabel = "FILE",
      description = "The archive's keyring for --apt (default: the demo's).")
  public Path keyring;

  @Option(
      names = "--duration",
      defaultValue = "0s",
      converter = DurationConverter.class,
      description =
          "Run the load at least this long per drill (it always runs until the old primary has"
              + " rejoined). Default: ${DEFAULT-VALUE}.")
  public Duration duration;

  @Override
  public Integer call() throws Exception {
    if (!(rate > 0 && rate <= 1000)) {
      throw new UsageException("--rate must be more than 0 and at most 1000: " + rate);
    }
    if (rounds < 1 || rounds > 1000) {
      throw new UsageException("--rounds must be 1..1000: " + rounds);
    }
    if (hold.toMillis() < 1000) {
      throw new UsageException("--hold must be at least 1s: " + Durations.format(hold));
    }
    List<DrillMode> modes = new ArrayList<>();
    if (mode.equalsIgnoreCase("all")) {
      modes.addAll(DrillMode.failovers());
    } else {
      try {
        modes.add(DrillMode.valueOf(mode.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new UsageException(
            "--mode must be graceful, crash, pause, isolate, all or region, not '" + mode + "'");
      }
    }
    NodeClient service;
    DrillFaults faults;
    Path reports;
    Path aptKeyring = keyring;
    if (demo != null) {
      if (url != null || faultCommand != null) {
        throw new UsageException("give --demo, or --url with --fault-command: not both");
      }
      Path layoutFile = demo.resolve("demo.json");
      if (!Files.isRegularFile(layoutFile)) {
        throw new UsageException(
            layoutFile + " not found: is a mirrorctl demo running with --dir " + demo + "?");
      }
      JsonNode layout = new ObjectMapper().readTree(layoutFile.toFile());
      if (!layout.path("haproxy").asBoolean()) {
        throw new UsageException(
            "this demo runs without HAProxy, so its service address is the primary itself: a"
                + " drill needs the load balancer (apt-get install haproxy, then start the demo"
                + " again)");
      }
      Path token = Path.of(layout.path("token").asText());
      service = NodeClient.of(layout.path("service").asText(), token, null);
      faults = new DemoFaults(layout.path("control").asText(), token);
      reports = demo.resolve("drills");
      if (aptKeyring == null) {
        aptKeyring = Path.of(layout.path("keyring").asText());
      }
    } else if (url != null) {
      if (faultCommand == null) {
        throw new UsageException(
            "--url needs --fault-command: how the drill stops, kills, pauses and cuts a node");
      }
      service = NodeClient.of(url, tokenFile, null);
      faults = new CommandFaults(faultCommand);
      reports = Path.of("drills");
    } else {
      throw new UsageException(
          "give --demo DIR (a running mirrorctl demo), or --url SERVICE with --fault-command");
    }
    if (apt && (aptKeyring == null || !Files.isReadable(aptKeyring))) {
      throw new UsageException(
          "--apt needs the archive's keyring: --keyring FILE (cannot read " + aptKeyring + ")");
    }
    DrillLoadPlan target;
    try {
      target = new DrillLoadPlan(root, suite, apt ? aptKeyring : null, duration);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    Drill drill = new Drill(service, faults, DrillThresholds.defaults(), target, out);
    boolean all = true;
    List<DrillReport> done = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      for (DrillMode m : modes) {
        DrillReport rep =
            m == DrillMode.REGION
                ? new RegionDrill(service, faults, DrillThresholds.defaults(), target, out)
                    .run(rate, hold)
                : drill.run(m, rate, hold);
        out.print(rep.render());
        Path file = report != null ? report : reports.resolve(rep.id() + ".json");
        if (file.getParent() != null) {
          Files.createDirectories(file.getParent());
        }
        Files.writeString(file, rep.json());
        out.println("report: " + file);
        var rec =
            service.admin(
                "POST", "/admin/drills", new ObjectMapper().writeValueAsString(rep.record()));
        out.println(
            rec.statusCode() == 200
                ? rec.body().strip()
                : "not recorded in the registry: " + rec.statusCode() + " " + rec.body().strip());
        out.flush();
        all &= rep.passed();
        done.add(rep);
        awaitHealthy(service);
      }
    }
    if (done.size() > 1) {
      out.print(summary(done));
      out.flush();
    }
    return all ? ExitCode.OK : ExitCode.FAILED;
  }

  /** Per mode: how many passed, and each figure's median and maximum over the rounds. */
  public static String summary(List<DrillReport> reports) {
    StringBuilder b = new StringBuilder("\nsummary (median / max over the rounds)\n");
    java.util.Map<String, List<DrillReport>> byMode = new java.util.LinkedHashMap<>();
    for (DrillReport r : reports) {
      byMode.computeIfAbsent(r.mode(), k -> new ArrayList<>()).add(r);
    }
    for (var e : byMode.entrySet()) {
      long passed = e.getValue().stream().filter(DrillReport::passed).count();
      b.append(
          String.format(Locale.ROOT, "%-9s %d/%d PASS", e.getKey(), passed, e.getValue().size()));
      for (String f :
          List.of(
              "detection",
              "promotion",
              "switch",
              "gap",
              "failed",
              "retried",
              "overlap",
              "rejoin")) {
        List<Double> v = new ArrayList<>();
        for (DrillReport r : e.getValue()) {
          Double x = r.values().get(f);
          if (x != null && !x.isNaN()) {
            v.add(x);
          }
        }
        if (v.isEmpty()) {
          continue;
        }
        java.util.Collections.sort(v);
        double median =
            v.size() % 2 == 1
                ? v.get(v.size() / 2)
                : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
        b.append(
            String.format(
                Locale.ROOT, ", %s %s/%s", f, Figure.fmt(median), Figure.fmt(v.get(v.size() - 1))));
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** Between drills: the preflight conditions again (the standby caught up). */
  private static void awaitHealthy(NodeClient service) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<String> last = List.of();
    while (System.nanoTime() < deadline) {
      try {
        last = Drill.preflight(service.status());
        if (last.isEmpty()) {
          return;
        }
      } catch (IOException e) {
        last = List.of(e.getMessage());
      }
      Thread.sleep(250);
    }
    throw new IOException("the cluster did not come back to health: " + String.join("; ", last));
  }

  /** Faults through the demo's control port. */
  public static final class DemoFaults implements DrillFaults {
    private final URI control;
    private final String token;
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public DemoFaults(String control, Path tokenFile) throws IOException {
      this.control = URI.create(control);
      this.token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    }

    @Override
    public String act(String node, String action) throws IOException, InterruptedException {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(control.resolve("nodes/" + node + "/" + action))
                  .header("Authorization", "Bearer " + token)
                  .timeout(Duration.ofSeconds(60))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException(action + " " + node + ": " + r.body().strip());
      }
      return r.body().strip();
    }
  }
}
