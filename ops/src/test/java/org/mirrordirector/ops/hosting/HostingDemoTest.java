package org.mirrordirector.ops.hosting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RunResult;

/**
 * {@code mirrorctl demo --ipv6-only-backend}: refused, with the reason, where it cannot run; as
 * root with the tools (as CI runs), the hosting's shape reached from this machine over 127.0.0.1
 * and ::1, each family sent to a mirror of its own, and nothing left behind.
 */
@Timeout(600)
class HostingDemoTest {
  @TempDir Path dir;

  @Test
  void whyItCannotRunIsNamed() {
    assertThat(HostingNetwork.unavailable(1000, p -> true, true))
        .hasValue("network namespaces need root (ip netns); this process runs as uid 1000");
    assertThat(HostingNetwork.unavailable(0, p -> !p.toString().endsWith("tayga"), true))
        .hasValue("/usr/sbin/tayga is not installed (apt-get install tayga)");
    assertThat(HostingNetwork.unavailable(0, p -> !p.toString().endsWith("ip"), true))
        .hasValue("/usr/sbin/ip is not installed (apt-get install iproute2)");
    assertThat(HostingNetwork.unavailable(0, p -> true, false))
        .hasValue("/dev/net/tun is missing (tayga needs a TUN device)");
    assertThat(HostingNetwork.unavailable(0, p -> true, true)).isEmpty();
    assertThat(HostingNetwork.effectiveUid())
        .as("this process's effective uid, as id -u says")
        .isEqualTo(Long.parseLong(idU()));
  }

  private String idU() {
    try {
      return BoundedRun.run(List.of("id", "-u"), null, dir, Duration.ofSeconds(10))
          .output()
          .strip();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The command as an operator runs it (a process of its own, until a signal): ready, then reached
   * from here over both loopbacks, then stopped by SIGTERM, after which nothing of it is left.
   */
  @Test
  void theHostingsShapeAnswersOnBothLoopbacksAndLeavesNothingBehind() throws Exception {
    java.util.Optional<String> why = HostingDemo.unavailable(HostingDemo::onPath);
    assumeTrue(why.isEmpty(), () -> why.orElse(""));
    Path out = dir.resolve("demo.out");
    Process demo =
        new ProcessBuilder(
                HostingScenario.java(
                    List.of(),
                    org.mirrordirector.ops.process.ChildProcesses.MIRRORCTL_MAIN,
                    "demo",
                    "--ipv6-only-backend",
                    "--port",
                    "0",
                    "--dir",
                    dir.resolve("demo").toString()))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    List<String> namespaces = List.of();
    boolean stopped;
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(400).toNanos();
      while (!Files.readString(out).contains("is ready.")) {
        assertThat(demo.isAlive()).as("the demo runs: " + Files.readString(out)).isTrue();
        assertThat(System.nanoTime() < deadline)
            .as("ready within 400 s: " + Files.readString(out))
            .isTrue();
        Thread.sleep(250);
      }
      String printed = Files.readString(out);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/status").matcher(printed);
      assertThat(m.find()).as(printed).isTrue();
      int port = Integer.parseInt(m.group(1));
      java.util.regex.Matcher ns =
          java.util.regex.Pattern.compile(
                  "namespaces: +(md-be-\\w+) .*(md-gw-\\w+) .*(md-in-\\w+) ")
              .matcher(printed);
      assertThat(ns.find()).as(printed).isTrue();
      namespaces = List.of(ns.group(1), ns.group(2), ns.group(3));
      assertThat(namespaces()).containsAll(namespaces);

      HttpClient http =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .followRedirects(HttpClient.Redirect.NEVER)
              .build();
      String in = "/raspbian/dists/bookworm/InRelease";
      JsonNode four = json(http, "http://127.0.0.1:" + port + in + "?explain");
      assertThat(four.get("client").get("address").asText())
          .as("the relay names the client to HAProxy, HAProxy to the node")
          .isEqualTo("127.0.0.1");
      assertThat(four.get("chosen").asText()).isIn("dual", "v4only", "v4plain", "brokenv6");
      JsonNode six = json(http, "http://[::1]:" + port + in + "?explain");
      assertThat(six.get("client").get("address").asText()).isEqualTo("::1");
      assertThat(six.get("chosen").asText()).isIn("dual", "v6only");
      HttpResponse<String> redirect =
          http.send(
              HttpRequest.newBuilder(URI.create("http://[::1]:" + port + in)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(redirect.statusCode()).isEqualTo(302);
      assertThat(redirect.headers().firstValue("Location").orElse(""))
          .matches("http://(dual|v6only)\\.test/dists/bookworm/InRelease");

      JsonNode status = json(http, "http://127.0.0.1:" + port + "/status.json");
      assertThat(HostingScenario.ready(status, "node-a")).as(status.toString()).isTrue();
      assertThat(HostingScenario.ready(status, "node-b")).as(status.toString()).isTrue();
      assertThat(HostingScenario.allProbed(status)).as(status.toString()).isTrue();
      String page =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://[::1]:" + port + "/status")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(page).contains("v4only").contains("v6only").contains("brokenv6");

      // The client lines it prints, run as printed, inside the hosting's internet.
      String head = line(printed, "curl -4 -sI");
      assertThat(head).startsWith("ip netns exec " + namespaces.get(2) + " ");
      assertThat(bash(head)).as(head).startsWith("HTTP/1.1 302");
      String list = line(printed, "curl -6 -s --cacert");
      assertThat(bash(list))
          .as(list)
          .contains("https://dual.test/")
          .contains("https://v6only.test/")
          .doesNotContain("v4only");
    } finally {
      demo.destroy(); // SIGTERM, as Ctrl-C or systemctl stop
      stopped = demo.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
      if (!stopped) {
        demo.destroyForcibly();
      }
    }
    assertThat(stopped).as("stopped within 60 s of SIGTERM: " + Files.readString(out)).isTrue();
    assertThat(namespaces())
        .as("its namespaces are removed")
        .doesNotContainAnyElementsOf(namespaces);
    for (String n : namespaces) {
      assertThat(Path.of("/etc/netns", n)).doesNotExist();
    }
  }

  private static String line(String printed, String containing) {
    return printed.lines().filter(l -> l.contains(containing)).findFirst().orElseThrow().strip();
  }

  private String bash(String line) throws Exception {
    return BoundedRun.run(List.of("bash", "-c", line), null, dir, Duration.ofSeconds(30)).output();
  }

  private List<String> namespaces() throws Exception {
    RunResult r = BoundedRun.run(List.of("ip", "netns", "list"), null, dir, Duration.ofSeconds(10));
    assertThat(r.ok()).as(r.output()).isTrue();
    return r.output().lines().map(l -> l.split("\\s+")[0]).toList();
  }

  private static JsonNode json(HttpClient http, String url) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
    return HostingScenario.JSON.readTree(r.body());
  }
}
