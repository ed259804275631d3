package org.mirrordirector.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * Bad arguments to sources, status, mirrors and demo: exit code 2 and a message naming the value.
 */
class CommandArgumentsTest {
  private static String[] fails(int code, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int got = Mirrorctl.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(got).as(String.join(" ", args) + ": " + err).isEqualTo(code);
    return new String[] {out.toString(), err.toString()};
  }

  @Test
  void sourcesNamesTheBadValue() {
    String base = "http://director.example.org/raspbian/";
    assertThat(fails(2, "sources", "--suite", "bookworm", "--url", base, "--format", "yaml")[1])
        .contains("--format must be list, deb822 or mirror, not 'yaml'");
    assertThat(fails(2, "sources", "--suite", "book worm", "--url", base)[1])
        .contains("--suite: 'book worm' is not a suite name");
    assertThat(fails(2, "sources", "--suite", "bookworm", "--url", "ftp://x/")[1])
        .contains("--url must be http(s)://host[:port]/path/ without query: 'ftp://x/'");
    assertThat(fails(2, "sources", "--suite", "bookworm")[1])
        .contains("give --url (or --config to take it from)");
    assertThat(
            fails(2, "sources", "--suite", "bookworm", "--url", base, "--signed-by", "key.gpg")[1])
        .contains("--signed-by must be an absolute path without spaces: 'key.gpg'");
    assertThat(
            fails(2, "sources", "--suite", "bookworm", "--url", base, "--components", "main,n f")[
                1])
        .contains("--components: 'n f' is not a component name");
    assertThat(fails(0, "sources", "--suite", "bookworm", "--url", base.replaceAll("/$", ""))[0])
        .isEqualTo("deb " + base + " bookworm main\n");
  }

  @Test
  void statusAndMirrorsNameWhatIsMissingOrUnreachable() {
    assertThat(fails(2, "status")[1])
        .contains("give --url http://node:port/ (or --config node.yaml)");
    assertThat(fails(1, "status", "--url", "http://127.0.0.1:1/")[1])
        .contains("cannot connect to http://127.0.0.1:1/status.json (is the node running?)");
    assertThat(fails(2, "mirrors")[1]).contains("name a subcommand: list, add, drain or enable");
    assertThat(fails(2, "mirrors", "drain", "m1", "--url", "http://127.0.0.1:1/")[1])
        .contains("the admin API needs a token: --token-file FILE");
    assertThat(fails(2, "mirrors", "add", "m1", "--url", "http://127.0.0.1:1/")[1])
        .contains("give --http URL and/or --https URL");
    assertThat(
            fails(2, "mirrors", "add", "m1", "--url", "http://127.0.0.1:1/", "--http", "ftp://m/")[
                1])
        .contains("mirror m1: base URL for http must be http://...: 'ftp://m/'");
    assertThat(
            fails(
                2,
                "mirrors",
                "add",
                "m1",
                "--url",
                "http://127.0.0.1:1/",
                "--http",
                "http://m/",
                "--country",
                "France")[1])
        .contains("mirror m1: country must be two capital letters: 'FRANCE'");
  }

  @Test
  void theHostingsDemoShapeIsRefusedWithOtherShapesAndWhereItCannotRun() {
    assertThat(fails(2, "demo", "--ipv6-only-backend", "--replicas", "1")[1])
        .contains(
            "--ipv6-only-backend runs the hosting's own shape: leave out --publish-every and"
                + " --replicas");
    assertThat(fails(2, "demo", "--ipv6-only-backend", "--publish-every", "30s")[1])
        .contains("leave out --publish-every");
    java.util.Optional<String> why =
        org.mirrordirector.ops.hosting.HostingDemo.unavailable(
            org.mirrordirector.ops.hosting.HostingDemo::onPath);
    if (why.isPresent()) {
      // Not root (or a tool missing): refused before anything starts, with the reason.
      assertThat(fails(2, "demo", "--ipv6-only-backend", "--port", "0")[1])
          .contains("--ipv6-only-backend cannot run here: " + why.get());
    }
    if (org.mirrordirector.ops.hosting.HostingNetwork.unavailable().isEmpty()) {
      assertThat(org.mirrordirector.ops.hosting.HostingDemo.unavailable(t -> !t.equals("nginx")))
          .hasValue(
              "it runs nginx, haproxy, rsync, openssl, curl; missing here: nginx (apt-get install"
                  + " nginx-light)");
    }
  }
}
