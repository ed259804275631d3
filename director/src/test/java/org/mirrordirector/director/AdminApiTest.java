package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.DefaultHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.LeadershipConfig;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryReader;
import org.mirrordirector.failover.RegistryWriter;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.ZooKeeperClients;

/**
 * Drain and enable through the admin API, against a real ZooKeeper, on the leader and a standby.
 */
class AdminApiTest {
  @TempDir Path dir;
  static final String TOKEN = "s3cret-admin-token-0123";

  @Test
  void onlyAnAuthorisedPostToTheLeaderDrainsOrEnablesAMirror() throws Exception {
    RegistryPaths paths = RegistryPaths.defaults();
    try (TestingServer zk = new TestingServer(true)) {
      LeadershipConfig ca = LeadershipConfig.withSessionTimeout("a", "a:1", Duration.ofSeconds(4));
      LeadershipConfig cb = LeadershipConfig.withSessionTimeout("b", "b:1", Duration.ofSeconds(4));
      CuratorFramework za = ZooKeeperClients.start(zk.getConnectString(), ca);
      CuratorFramework zb = ZooKeeperClients.start(zk.getConnectString(), cb);
      Leadership a = new Leadership(za, paths, ca);
      Leadership b = new Leadership(zb, paths, cb);
      RegistryReader ra = new RegistryReader(za, paths, dir.resolve("a.json"), "a");
      RegistryReader rb = new RegistryReader(zb, paths, dir.resolve("b.json"), "b");
      Server server = new Server();
      LocalConnector leader = new LocalConnector(server);
      LocalConnector standby = new LocalConnector(server);
      try {
        ra.start();
        rb.start();
        a.start();
        await(() -> a.role() == Role.ACTIVE);
        b.start();
        await(() -> b.role() == Role.STANDBY);
        new RegistryWriter(a, paths)
            .putMirror(
                new MirrorConfig(
                    "m1",
                    Map.of("http", "http://m1.example.org/raspbian/"),
                    "GB",
                    "EU",
                    null,
                    null,
                    null,
                    List.of(),
                    100,
                    List.of(),
                    true,
                    false));
        await(() -> ra.view().mirrors().containsKey("m1") && rb.view().mirrors().containsKey("m1"));
        AdminApi onA = new AdminApi(TOKEN, ra::view, a, paths, new DefaultHandler());
        AdminApi onB = new AdminApi(TOKEN, rb::view, b, paths, new DefaultHandler());
        // Two servers' worth of handlers on one Jetty: route by connector.
        server.addConnector(leader);
        server.addConnector(standby);
        server.setHandler(
            new org.eclipse.jetty.server.Handler.Abstract() {
              @Override
              public boolean handle(
                  org.eclipse.jetty.server.Request rq,
                  org.eclipse.jetty.server.Response rs,
                  org.eclipse.jetty.util.Callback cb)
                  throws Exception {
                return (rq.getConnectionMetaData().getConnector() == leader ? onA : onB)
                    .handle(rq, rs, cb);
              }
            });
        onA.setServer(server);
        onB.setServer(server);
        server.start();

        assertThat(post(leader, "/admin/mirrors/m1/drain", null).getStatus()).isEqualTo(401);
        HttpTester.Response wrong = post(leader, "/admin/mirrors/m1/drain", "not-the-token-at-all");
        assertThat(wrong.getStatus()).isEqualTo(401);
        assertThat(wrong.get("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(request(leader, "GET", "/admin/mirrors/m1/drain", TOKEN).getStatus())
            .isEqualTo(405);
        assertThat(post(leader, "/admin/mirrors/m1/delete", TOKEN).getStatus()).isEqualTo(404);
        assertThat(post(leader, "/admin/mirrors/bad*id/drain", TOKEN).getStatus()).isEqualTo(400);
        assertThat(post(leader, "/admin/mirrors/m2/drain", TOKEN).getContent())
            .isEqualTo("no mirror 'm2' is registered\n");
        HttpTester.Response notLeader = post(standby, "/admin/mirrors/m1/drain", TOKEN);
        assertThat(notLeader.getStatus()).isEqualTo(503);
        assertThat(rb.view().mirrors().get("m1").config().drained()).isFalse();

        HttpTester.Response drained = post(leader, "/admin/mirrors/m1/drain", TOKEN);
        assertThat(drained.getStatus()).isEqualTo(200);
        assertThat(drained.getContent()).startsWith("mirror m1 drained in epoch ");
        await(() -> rb.view().mirrors().get("m1").config().drained());
        assertThat(post(leader, "/admin/mirrors/m1/enable", TOKEN).getStatus()).isEqualTo(200);
        await(() -> !rb.view().mirrors().get("m1").config().drained());
        assertThat(request(leader, "GET", "/other", null).getStatus())
            .as("other paths pass through")
            .isEqualTo(404);

        // Adding a mirror: strict JSON, the id of the path, prefixes checked.
        String m2 =
            "{\"id\":\"m2\",\"baseUrls\":{\"https\":\"https://m2.example.org/raspbian/\"},"
                + "\"country\":\"FR\",\"prefixes\":[\"192.0.2.0/24\"],\"weight\":50,"
                + "\"enabled\":true,\"drained\":false}";
        HttpTester.Response added = put(leader, "/admin/mirrors/m2", m2);
        assertThat(added.getContent()).startsWith("mirror m2 added in epoch ");
        // "added" or "replaced" is told from the leader's own view: wait until it has m2 too.
        await(() -> rb.view().mirrors().containsKey("m2") && ra.view().mirrors().containsKey("m2"));
        assertThat(rb.view().mirrors().get("m2").config().prefixes())
            .containsExactly("192.0.2.0/24");
        assertThat(put(leader, "/admin/mirrors/m2", m2).getContent())
            .startsWith("mirror m2 replaced");
        assertThat(put(leader, "/admin/mirrors/m3", m2).getContent())
            .isEqualTo("the body's id 'm2' is not the id in the path 'm3'\n");
        HttpTester.Response typo = put(leader, "/admin/mirrors/m2", m2.replace("weight", "wieght"));
        assertThat(typo.getStatus()).isEqualTo(400);
        assertThat(typo.getContent()).startsWith("unknown field 'wieght'; the fields are [id, ");
        HttpTester.Response badPrefix =
            put(leader, "/admin/mirrors/m2", m2.replace("192.0.2.0/24", "192.0.2.0/40"));
        assertThat(badPrefix.getStatus()).isEqualTo(400);
        assertThat(badPrefix.getContent()).contains("mirror m2 prefix");
        HttpTester.Response badUrl =
            put(leader, "/admin/mirrors/m2", m2.replace("https://m2", "http://m2"));
        assertThat(badUrl.getStatus()).isEqualTo(400);
        assertThat(badUrl.getContent()).contains("base URL for https must be https://");
        HttpTester.Response bareV6 =
            put(leader, "/admin/mirrors/m2", m2.replace("https://m2", "https://2001:db8::2"));
        assertThat(bareV6.getStatus()).isEqualTo(400);
        assertThat(bareV6.getContent())
            .contains("an IPv6 address in a URL must be in brackets")
            .contains("https://2001:db8::2");
        HttpTester.Response badV6 =
            put(leader, "/admin/mirrors/m2", m2.replace("https://m2", "https://[2001:db8::g2]"));
        assertThat(badV6.getStatus()).isEqualTo(400);
        assertThat(badV6.getContent()).contains("invalid URL").contains("malformed IPv6");
        HttpTester.Response badArch =
            put(
                leader,
                "/admin/mirrors/m2",
                m2.replace("\"weight\"", "\"architectures\":[\"ARMHF\"],\"weight\""));
        assertThat(badArch.getStatus()).isEqualTo(400);
        assertThat(badArch.getContent()).contains("'ARMHF' is not an architecture name");
        assertThat(put(leader, "/admin/mirrors/m2", "not json").getStatus()).isEqualTo(400);
        assertThat(put(standby, "/admin/mirrors/m2", m2).getStatus()).isEqualTo(503);

        // A drill's record, for the status page.
        HttpTester.Response drill =
            request(
                leader,
                "POST",
                "/admin/drills",
                TOKEN,
                "{\"id\":\"drill-1\",\"mode\":\"crash\",\"passed\":true,\"startedAtMillis\":1,"
                    + "\"finishedAtMillis\":2,\"figures\":{\"promotion\":4.5},\"summary\":\"PASS\"}");
        assertThat(drill.getContent()).startsWith("drill drill-1 recorded in epoch ");
        await(() -> rb.view().drills().size() == 1);
        assertThat(request(leader, "POST", "/admin/drills", TOKEN, "{\"id\":\"x y\"}").getStatus())
            .isEqualTo(400);
      } finally {
        server.stop();
        ra.close();
        rb.close();
        b.close();
        a.close();
        zb.close();
        za.close();
      }
    }
  }

  @Test
  void aWeakTokenIsRefusedAtStart() {
    assertThatThrownBy(() -> new AdminApi("short", null, null, RegistryPaths.defaults(), null))
        .hasMessage("the admin token must be at least 16 printable characters without spaces");
  }

  static HttpTester.Response post(LocalConnector c, String path, String token) throws Exception {
    return request(c, "POST", path, token);
  }

  static HttpTester.Response put(LocalConnector c, String path, String body) throws Exception {
    return request(c, "PUT", path, TOKEN, body);
  }

  static HttpTester.Response request(
      LocalConnector c, String method, String path, String token, String body) throws Exception {
    byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return HttpTester.parseResponse(
        c.getResponse(
            method
                + " "
                + path
                + " HTTP/1.1\r\nHost: d\r\nAuthorization: Bearer "
                + token
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + b.length
                + "\r\nConnection: close\r\n\r\n"
                + body));
  }

  static HttpTester.Response request(LocalConnector c, String method, String path, String token)
      throws Exception {
    return HttpTester.parseResponse(
        c.getResponse(
            method
                + " "
                + path
                + " HTTP/1.1\r\nHost: d\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Content-Length: 0\r\nConnection: close\r\n\r\n"));
  }

  static void await(BooleanSupplier c) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s");
      }
      Thread.sleep(20);
    }
  }
}
