package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.DefaultHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.DrillRecord;
import org.mirrordirector.failover.NodeInfo;
import org.mirrordirector.failover.Role;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RunResult;

/**
 * The status page in a real browser (Debian's headless Chromium): the DOM it builds has the primary
 * and the hot spare, the charts, every mirror in its state colour and the last drills, and its
 * screenshot shows them drawn.
 */
class StatusPageBrowserTest {
  @TempDir Path dir;

  @Test
  void chromiumRendersTheClusterTheChartsTheMirrorsAndTheDrills() throws Exception {
    TestFleet.create(dir);
    ClusterView f = TestFleet.fleet();
    long now = TestFleet.NOW;
    ClusterView view =
        new ClusterView(
            f.generation(),
            f.source(),
            true,
            now,
            7,
            "node-a",
            Map.of(
                "node-a",
                new NodeInfo(
                    "node-a", "a.example.org:8080", Role.ACTIVE, 7, true, now, "s-1", null),
                "node-b",
                new NodeInfo(
                    "node-b", "b.example.org:8080", Role.STANDBY, 6, true, now - 800, "s-1", null)),
            f.mirrors(),
            f.snapshots(),
            f.current(),
            List.of(
                new DrillRecord(
                    "drill-crash-1",
                    "crash",
                    true,
                    now - 60_000,
                    now - 45_000,
                    Map.of("promotion", 4.6),
                    "PASS: node-b -> node-a, promotion 4.6 s"),
                new DrillRecord(
                    "drill-pause-1",
                    "pause",
                    false,
                    now - 30_000,
                    now - 10_000,
                    Map.of("failed", 3.0),
                    "FAIL: failed 3")),
            List.of());
    RedirectStats stats = new RedirectStats(300, () -> now / 1000);
    for (int i = 0; i < 30; i++) {
      stats.record("current-gb");
    }
    Server server = new Server();
    ServerConnector c = new ServerConnector(server);
    c.setHost("127.0.0.1");
    server.addConnector(c);
    server.setHandler(
        new StatusPage(
            () -> view,
            stats,
            () -> now,
            () ->
                Map.of(
                    "id",
                    "node-a",
                    "syncRuns",
                    12,
                    "lastSyncOutcome",
                    "UNCHANGED",
                    "lastSyncUpstream",
                    "rsync://upstream.example.org/raspbian/",
                    "lastSyncAtMillis",
                    now - 42_000,
                    "lastPublishedAtMillis",
                    now - 3_600_000),
            new DefaultHandler()));
    server.start();
    try {
      String url = "http://127.0.0.1:" + c.getLocalPort() + "/status";
      String dom = chromium("--dump-dom", url);
      assertThat(dom).contains("<div class=\"cards\" id=\"summary\">");
      assertThat(dom).containsPattern("primary</span><b class=\"good\">node-a</b>");
      assertThat(dom).containsPattern("hot spare</span><b class=\"good\">node-b</b><small>ready");
      assertThat(dom).contains("<td>ACTIVE (primary)</td>", "<td>STANDBY (hot spare)</td>");
      assertThat(dom)
          .contains(
              "This page is served by <b>node-a</b>. Its last sync: UNCHANGED, 42 s ago from"
                  + " rsync://upstream.example.org/raspbian/; last published 60 min ago; 12 syncs"
                  + " since start.");
      Matcher points =
          Pattern.compile("<svg id=\"redirects-chart\".*?points=\"([^\"]*)\"").matcher(dom);
      assertThat(points.find()).isTrue();
      assertThat(points.group(1).split(" ")).hasSize(300);
      assertThat(dom)
          .contains(">lagging-de</text>")
          .contains(">10 min</text>")
          .contains(">DOWN</text>")
          .contains(">not probed</text>");
      assertThat(count(dom, "<rect class=\"lag\"")).isEqualTo(view.mirrors().size());
      assertThat(dom).contains("<tr class=\"LAGGING\"><td>lagging-de</td>");
      assertThat(dom).contains("<td>us-only</td><td class=\"families\" title=\"IPv4: connection");
      assertThat(dom).contains("<table id=\"drills\">");
      assertThat(dom).contains("<td>drill-crash-1</td><td>crash</td><td>PASS</td>");
      assertThat(dom).contains("<td>drill-pause-1</td><td>pause</td><td>FAIL</td>");

      Path png = dir.resolve("status.png");
      chromium("--screenshot=" + png, "--window-size=1280,1600", url);
      BufferedImage img = ImageIO.read(png.toFile());
      assertThat(img.getWidth()).isEqualTo(1280);
      assertThat(img.getHeight()).isEqualTo(1600);
      // The state colours were painted: the OK and LAGGING rows, the chart's line.
      assertThat(has(img, 0xd9f2d9)).as("an OK row's green").isTrue();
      assertThat(has(img, 0xfff3c4)).as("a LAGGING row's yellow").isTrue();
      assertThat(has(img, 0x66bb6a)).as("a lag bar").isTrue();
      Files.copy(
          png,
          Path.of("target/status-page.png"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      server.stop();
    }
  }

  private String chromium(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-quic",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                "--user-data-dir=" + dir.resolve("chromium-profile")));
    cmd.addAll(List.of(args));
    RunResult r =
        BoundedRun.run(
            new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.err").toFile()),
            dir,
            java.time.Duration.ofSeconds(90));
    assertThat(r.exit())
        .as(r.describe(cmd) + "\nstderr: " + Files.readString(dir.resolve("chromium.err")))
        .isZero();
    return r.output();
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  private static boolean has(BufferedImage img, int rgb) {
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        if ((img.getRGB(x, y) & 0xffffff) == rgb) {
          return true;
        }
      }
    }
    return false;
  }
}
