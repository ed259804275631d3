package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.DefaultHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.ViewSource;

class StatusPageTest {
  @TempDir Path dir;

  @Test
  void statusJsonAndHtmlShowNodesSnapshotMirrorsAndRedirectShares() throws Exception {
    TestFleet.create(dir);
    AtomicReference<ClusterView> view = new AtomicReference<>(TestFleet.fleet());
    AtomicLong seconds = new AtomicLong(100);
    RedirectStats stats = new RedirectStats(300, seconds::get);
    for (int i = 0; i < 3; i++) {
      stats.record("current-gb");
    }
    stats.record("lagging-de");
    Server server = new Server();
    LocalConnector c = new LocalConnector(server);
    server.addConnector(c);
    server.setHandler(new StatusPage(view::get, stats, () -> TestFleet.NOW, new DefaultHandler()));
    server.start();
    try {
      JsonNode j = new ObjectMapper().readTree(get(c, "/status.json").getContent());
      assertThat(j.get("registry").get("connected").asBoolean()).isTrue();
      assertThat(j.get("registry").get("note").isNull()).isTrue();
      assertThat(j.get("current").get("id").asText()).isEqualTo("snap-2");
      assertThat(j.get("mirrors")).hasSize(8);
      JsonNode gb = find(j, "current-gb");
      assertThat(gb.get("redirects5m").asLong()).isEqualTo(3);
      assertThat(gb.get("families").get("ipv6").get("works").asBoolean()).isTrue();
      assertThat(find(j, "us-only").get("families").get("ipv4").get("detail").asText())
          .isEqualTo("connection refused at 192.0.2.99:80");
      assertThat(gb.get("share5m").asDouble()).isEqualTo(0.75);
      assertThat(gb.get("states").get(0).get("atCurrent").asBoolean()).isTrue();
      JsonNode de = find(j, "lagging-de");
      assertThat(de.get("states").get(0).get("health").asText()).isEqualTo("LAGGING");
      assertThat(de.get("states").get(0).get("lagMillis").asLong()).isEqualTo(600_000);
      assertThat(de.get("states").get(0).get("atCurrent").asBoolean()).isFalse();
      assertThat(j.get("redirectsPerSecond")).hasSize(300);
      assertThat(j.get("redirectsPerSecond").get(299).asLong()).isEqualTo(4);

      String html = get(c, "/status").getContent();
      assertThat(html)
          .contains("<table id=\"mirrors\">")
          .contains("<tr class=\"LAGGING\"><td>lagging-de</td>")
          .contains("<td>drained (drained)</td>")
          .contains("<td>current-gb</td><td class=\"families\" title=\"\">IPv4, IPv6</td>")
          .contains(
              "<td>us-only</td><td class=\"families\" title=\"IPv4: connection refused at"
                  + " 192.0.2.99:80\">IPv6 only</td>")
          .contains("75.0 %")
          .doesNotContain("id=\"stale\"");

      // The quick check found lagging-de silent: out of routing before its probes say DOWN, and
      // the page says why (the reason from the registry, escaped).
      ClusterView v = view.get();
      java.util.Map<String, org.mirrordirector.failover.MirrorView> ms =
          new java.util.HashMap<>(v.mirrors());
      org.mirrordirector.failover.MirrorView de0 = ms.get("lagging-de");
      ms.put(
          "lagging-de",
          new org.mirrordirector.failover.MirrorView(
              de0.config(),
              de0.state(),
              new org.mirrordirector.failover.Unreachable(
                  "lagging-de", TestFleet.NOW - 3_000, "connection refused at <192.0.2.7:80>")));
      view.set(TestFleet.view(ms));
      JsonNode silent =
          find(new ObjectMapper().readTree(get(c, "/status.json").getContent()), "lagging-de");
      assertThat(silent.get("unreachable").get("text").asText())
          .isEqualTo(
              "not answering for 3 s (the quick check: connection refused at <192.0.2.7:80>)");
      assertThat(get(c, "/status").getContent())
          .contains("<tr class=\"UNREACHABLE\"><td>lagging-de (not answering)</td>")
          .contains(
              "not answering for 3 s (the quick check: connection refused at &lt;192.0.2.7:80&gt;);");
      view.set(TestFleet.fleet());
      v = view.get();
      view.set(
          new ClusterView(
              v.generation(),
              ViewSource.LAST_KNOWN_GOOD,
              false,
              v.builtAtMillis(),
              v.epoch(),
              v.leader(),
              v.nodes(),
              v.mirrors(),
              v.snapshots(),
              v.current(),
              v.drills(),
              v.problems()));
      assertThat(get(c, "/status").getContent())
          .contains(
              "<p id=\"stale\"><b>ZooKeeper is not reachable: serving from the last-known-good view</b></p>");
      assertThat(get(c, "/other").getStatus()).isEqualTo(404);
    } finally {
      server.stop();
    }
  }

  @Test
  void textFromTheRegistryIsEscapedInTheHtml() {
    assertThat(StatusPage.esc("<script>alert('x')</script> & \"q\""))
        .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  }

  static JsonNode find(JsonNode j, String id) {
    for (JsonNode m : j.get("mirrors")) {
      if (m.get("id").asText().equals(id)) {
        return m;
      }
    }
    throw new AssertionError("no mirror " + id);
  }

  static HttpTester.Response get(LocalConnector c, String path) throws Exception {
    return HttpTester.parseResponse(
        c.getResponse("GET " + path + " HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n"));
  }
}
