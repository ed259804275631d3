package org.mirrordirector.ops.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.cli.ExitCode;
import org.mirrordirector.ops.cli.MirrorctlTest;
import org.mirrordirector.ops.cli.SoakCommand;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.demo.Demo;
import org.mirrordirector.ops.demo.DemoLayout;
import org.mirrordirector.ops.demo.PreparedVersion;

/**
 * The short soak of the default test run: about two minutes of the demo with one replica, the
 * upstream publishing every 15 s, a fault on the cluster and a mirror event every 15 s or so, three
 * real apt clients; not one apt operation may fail. The long one: {@code -Dmd.slow=true} (see
 * {@link SoakLongTest}) and {@code ops/bench/soak-bench.sh}.
 */
public class SoakTest {
  @TempDir Path dir;

  @Test
  void aShortSoakFailsNoAptOperationAndShowsOnTheStatusPage() throws Exception {
    StringWriter log = new StringWriter();
    PrintWriter out = new PrintWriter(log, true);
    try (Demo demo = new Demo(dir, out, SoakCommand.motion(Duration.ofSeconds(15), 400, 17), 1)) {
      DemoLayout l = demo.withAllMirrorsFollowing().start(0, Duration.ofSeconds(180));
      SoakResult r =
          new Soak(
                  demo,
                  new SoakSettings(
                      Duration.ofSeconds(80),
                      Duration.ofSeconds(15),
                      Duration.ofSeconds(15),
                      Duration.ofSeconds(8),
                      3,
                      17,
                      // Every mirror event, drops included: a client sent to a mirror the moment
                      // before it dropped off fails there (apt retries at the mirror), and is
                      // reported apart; every other failure counts.
                      java.util.EnumSet.allOf(MirrorEvent.class)),
                  out)
              .run();
      String text = SoakReport.render(r);
      System.out.print(text);
      assertThat(r.failures())
          .as(text + log)
          .allSatisfy(f -> assertThat(f.cause()).isEqualTo(FailureCause.MIRROR_DROPPED_OFF.name()));
      assertThat(r.passed()).as(text + log).isTrue();
      assertThat(r.operations())
          .as("every client updated, downloaded and fetched sources, again and again")
          .containsKeys("update", "download", "source")
          .allSatisfy((k, v) -> assertThat(v).as(k).isGreaterThanOrEqualTo(20));
      // Each waits for the cluster to heal, a break for a publication: how many fit in 80 s is
      // the machine's speed (two or three of each on a quiet one, one mirror event in a full run
      // here), so the test asks that both kinds happened, with no failure, not how often.
      assertThat(r.faults().values().stream().mapToInt(Integer::intValue).sum())
          .as(text)
          .isGreaterThanOrEqualTo(1);
      assertThat(r.mirrorEvents().values().stream().mapToInt(Integer::intValue).sum())
          .as(text)
          .isGreaterThanOrEqualTo(1);
      // How many publications fit is the machine's speed too (a generation of 400 packages takes
      // seconds on a busy 2-core machine: two fit in a full run here, four on a quiet one).
      assertThat(r.freshness()).as(text).isNotEmpty();
      assertThat(r.redirectsLastFiveMinutes().values().stream().filter(n -> n > 0).count())
          .as(
              "clients from addresses of their own are spread over the mirrors: %s",
              r.redirectsLastFiveMinutes())
          .isGreaterThanOrEqualTo(2);
      assertThat(r.freshness())
          .as("every publication reached the snapshot and the routed InRelease")
          .allMatch(f -> f.snapshotMillis() >= 0 && f.routedMillis() >= 0);

      JsonNode json = new ObjectMapper().readTree(SoakReport.json(r));
      assertThat(json.path("passed").asBoolean()).isTrue();
      assertThat(json.path("freshness")).hasSize(r.freshness().size());
      assertThat(json.path("timeline").size())
          .isEqualTo(
              r.faults().values().stream().mapToInt(Integer::intValue).sum()
                  + r.mirrorEvents().values().stream().mapToInt(Integer::intValue).sum());

      NodeClient service = NodeClient.of(l.service(), l.token(), null);
      assertThat(SoakReport.record(service, r)).contains(r.id());
      JsonNode status = service.status();
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (status.path("drills").isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(200);
        status = service.status();
      }
      assertThat(status.path("drills").get(0).path("mode").asText()).isEqualTo("soak");
      assertThat(status.path("drills").get(0).path("figures").path("(b) routed p99").asDouble())
          .isPositive();
      // The page through the service: right after the soak's last fault, the balancer may still
      // be moving between nodes (an empty answer once); asked again until it shows the record.
      java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
      String html = "";
      long pageDeadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (!html.contains(r.id()) && System.nanoTime() < pageDeadline) {
        html =
            client
                .send(
                    java.net.http.HttpRequest.newBuilder(service.base().resolve("status")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        if (!html.contains(r.id())) {
          Thread.sleep(200);
        }
      }
      assertThat(html).contains(r.id()).contains("soak");
      assertThat(Duration.between(r.started(), r.finished()))
          .as("the duration, the fault under way and the tail, no more")
          .isLessThan(Duration.ofSeconds(80 + 60 + 75));

      // The deployment soak with node faults through the fault command, on the same demo. It
      // knows publications only from their Dates, so one dated inside it must be published while
      // it runs: the soak above has stopped the demo's publisher, and the test prepares the next
      // version first, dated 30 s ahead (one soak that generated while it ran saw none), then
      // soaks until 15 s past that Date and publishes the version at its Date. Generating takes
      // 2 to 3 s of CPU; on a machine so busy that it is not done 5 s before its Date, the test
      // prepares another, dated from then, for up to three minutes, rather than ask for a speed.
      java.time.Instant date;
      PreparedVersion next;
      long ahead;
      long prepareDeadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      java.util.List<String> late = new java.util.ArrayList<>();
      do {
        date = java.time.Instant.now().plusSeconds(30);
        next = demo.motion().prepare(date);
        ahead = Duration.between(java.time.Instant.now(), date).toSeconds();
        if (ahead < 5) {
          late.add("version " + next.version() + " done " + ahead + " s before its Date");
        }
      } while (ahead < 5 && System.nanoTime() < prepareDeadline);
      assertThat(ahead)
          .as("a version generated at least 5 s before its Date, within 3 minutes: %s", late)
          .isGreaterThanOrEqualTo(5);
      final java.time.Instant publishAt = date;
      final PreparedVersion toPublish = next;
      Thread publisher =
          new Thread(
              () -> {
                try {
                  Thread.sleep(
                      Math.max(0, Duration.between(java.time.Instant.now(), publishAt).toMillis()));
                  demo.motion().publish(toPublish);
                } catch (Exception e) {
                  out.println("the test's publication failed: " + e);
                }
              },
              "soak-test-publication");
      publisher.start();
      String token = java.nio.file.Files.readString(l.token()).strip();
      JsonNode faulted;
      try {
        faulted =
            deploymentSoak(
                dir,
                l,
                log,
                "faults",
                Math.max(30, ahead + 15) + "s",
                true,
                "--fault-command",
                "curl -sSf -X POST -H 'Authorization: Bearer "
                    + token
                    + "' "
                    + l.control()
                    + "nodes/{node}/{action}",
                "--fault-every",
                "8s");
      } finally {
        publisher.join(120_000);
      }
      assertThat(faulted.path("faults").size()).as("node faults through the command").isPositive();
    }
  }

  /** {@code mirrorctl soak --url} against a demo, in {@code dir/name}; its report, checked. */
  public static JsonNode deploymentSoak(
      Path dir,
      DemoLayout l,
      StringWriter demoLog,
      String name,
      String duration,
      boolean sources,
      String... more)
      throws Exception {
    Path d = dir.resolve(name);
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of(
                "soak",
                "--dir",
                d.toString(),
                "--url",
                l.service(),
                "--keyring",
                l.keyring().toString(),
                "--token-file",
                l.token().toString(),
                "--duration",
                duration,
                "--clients",
                "2",
                "--sync-interval",
                "30s",
                "--tail",
                "60s"));
    args.addAll(java.util.List.of(more));
    MirrorctlTest.Run run = MirrorctlTest.mirrorctl(args.toArray(String[]::new));
    System.out.print(run.out());
    assertThat(run.code()).as(run.out() + run.err()).isEqualTo(ExitCode.OK);
    JsonNode rep;
    try (var files = java.nio.file.Files.list(d.resolve("soaks"))) {
      Path json = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
      rep = new ObjectMapper().readTree(json.toFile());
    }
    assertThat(rep.path("passed").asBoolean()).as(run.out()).isTrue();
    assertThat(rep.path("failures").size()).as(run.out()).isZero();
    assertThat(rep.path("operations").has("update")).as(run.out()).isTrue();
    assertThat(rep.path("operations").has("download")).as(run.out()).isTrue();
    assertThat(rep.path("operations").has("source"))
        .as("deb-src lines and apt-get source exactly where the Release lists Sources")
        .isEqualTo(sources);
    // A publication every 15 s: one falls inside 30 s, wherever the soak starts.
    assertThat(rep.path("freshness").size())
        .as("publications told by their Date: one every 15 s; the demo's log:\n" + demoLog)
        .isGreaterThanOrEqualTo(1);
    for (JsonNode f : rep.path("freshness")) {
      assertThat(f.path("routedMillis").isNumber()).as(f.toString()).isTrue();
    }
    assertThat(rep.path("mirrorEvents").size())
        .as("a deployment's mirrors are left alone")
        .isZero();
    assertThat(run.out()).contains("recorded");
    return rep;
  }
}
