package org.mirrordirector.sync.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.mirrordirector.sync.archive.Sha256;
import org.mirrordirector.sync.net.HttpAnswer;

/**
 * The prober's HTTP side, by name, against real Jetty mirrors over trees on disk: the recheck
 * between full probes (a conditional GET per InRelease, then ftpsync's lock), the lock's name for
 * an IPv6 mirror, and a HEAD's answer in words.
 */
class ProbeRequestsTest {
  @TempDir Path dir;

  private ProbeRequests requests() {
    return new ProbeRequests(
        ProbeConfig.defaults(List.of("bookworm")).withTimeout(Duration.ofSeconds(5)),
        null,
        new HappyEyeballs());
  }

  private Path tree(String inRelease) throws Exception {
    Path t = dir.resolve("tree");
    Files.createDirectories(t.resolve("dists/bookworm"));
    Files.writeString(t.resolve("dists/bookworm/InRelease"), inRelease);
    return t;
  }

  private static MirrorConfig mirror(TestMirror m) {
    return MirrorProberTest.http("m", m);
  }

  /** What a full probe keeps of an InRelease's answer: its validators and its hash. */
  private static void readFully(ProbeRequests r, URI base) throws Exception {
    URI in = base.resolve("dists/bookworm/InRelease");
    try (HttpAnswer a = r.send("GET", in, Map.of())) {
      byte[] data = a.body().readAllBytes();
      r.conditional.put(
          in.toString(),
          new CachedInRelease(
              a.header("ETag").orElse(null),
              a.header("Last-Modified").orElse(null),
              Sha256.hex(data),
              new InReleaseVerdict(null, null)));
    }
  }

  @Test
  void aMirrorNeverReadFullyIsChanged() throws Exception {
    try (TestMirror m = TestMirror.http(tree("version 1\n"))) {
      assertThat(requests().recheck(mirror(m))).isEqualTo(MirrorChange.CHANGED);
    }
  }

  @Test
  void anUnchangedInReleaseIsTheSameAndIsAskedForConditionally() throws Exception {
    try (TestMirror m = TestMirror.http(tree("version 1\n"))) {
      ProbeRequests r = requests();
      readFully(r, m.base());
      assertThat(r.recheck(mirror(m))).isEqualTo(MirrorChange.SAME);
      assertThat(m.conditionalRequests.get()).as("If-None-Match / If-Modified-Since sent").isOne();
    }
  }

  @Test
  void aChangedInReleaseIsChangedAndForgottenSoTheFullProbeReadsItWhole() throws Exception {
    Path t = tree("version 1\n");
    try (TestMirror m = TestMirror.http(t)) {
      ProbeRequests r = requests();
      readFully(r, m.base());
      Files.writeString(t.resolve("dists/bookworm/InRelease"), "version 2, longer\n");
      assertThat(r.recheck(mirror(m))).isEqualTo(MirrorChange.CHANGED);
      assertThat(r.conditional).isEmpty();
    }
  }

  @Test
  void ftpsyncsLockSeenMakesTheMirrorChangedBeforeItsLastStep() throws Exception {
    Path t = tree("version 1\n");
    try (TestMirror m = TestMirror.http(t)) {
      ProbeRequests r = requests();
      readFully(r, m.base());
      Files.writeString(t.resolve(ProbeRequests.lockName(m.base())), "", StandardCharsets.US_ASCII);
      assertThat(r.recheck(mirror(m))).isEqualTo(MirrorChange.CHANGED);
    }
  }

  @Test
  void aServerErrorIsUnreachableNotChanged() throws Exception {
    Path t = tree("version 1\n");
    URI base;
    ProbeRequests r = requests();
    try (TestMirror ok = TestMirror.http(t)) {
      readFully(r, ok.base());
      base = ok.base();
    }
    try (TestMirror failing = TestMirror.failingOn(t, 503, "127.0.0.1")) {
      // the same cached answers, now for the failing mirror's URL
      URI in = failing.base().resolve("dists/bookworm/InRelease");
      r.conditional.put(
          in.toString(), r.conditional.remove(base.resolve("dists/bookworm/InRelease").toString()));
      assertThat(r.recheck(mirror(failing))).isEqualTo(MirrorChange.UNREACHABLE);
      HeadAnswer h = r.head(in);
      assertThat(h.status()).isEqualTo(503);
      assertThat(h.problem()).isEqualTo("HTTP 503");
    }
  }

  @Test
  void anIpv6MirrorsLockIsNamedWithoutBrackets() throws Exception {
    Path t = tree("version 1\n");
    try (TestMirror m = TestMirror.httpOn(t, "::1")) {
      assertThat(m.base().getHost()).isEqualTo("[::1]");
      assertThat(ProbeRequests.lockName(m.base())).isEqualTo("Archive-Update-in-Progress-::1");
      ProbeRequests r = requests();
      readFully(r, m.base());
      assertThat(r.recheck(mirror(m))).isEqualTo(MirrorChange.SAME);
      Files.writeString(t.resolve("Archive-Update-in-Progress-::1"), "");
      assertThat(r.lockPresent(m.base())).isTrue();
      assertThat(r.recheck(mirror(m))).isEqualTo(MirrorChange.CHANGED);
    }
  }

  @Test
  void aHeadThatGetsNoAnswerSaysWhyInWords() throws Exception {
    URI closed;
    try (TestMirror m = TestMirror.http(tree("x\n"))) {
      closed = m.base();
    }
    HeadAnswer h = requests().head(closed.resolve("dists/bookworm/InRelease"));
    assertThat(h.status()).isEqualTo(-1);
    assertThat(h.length()).isEqualTo(-1);
    assertThat(h.problem()).contains(closed.getHost()).contains(String.valueOf(closed.getPort()));
  }

  @Test
  void theConditionalHeadersAreTheLastAnswersValidators() {
    assertThat(
            ProbeRequests.conditionalHeaders(
                new CachedInRelease("\"e1\"", "Tue, 01 Dec 2026 00:00:00 GMT", "ab", null)))
        .containsExactly(
            Map.entry("If-None-Match", "\"e1\""),
            Map.entry("If-Modified-Since", "Tue, 01 Dec 2026 00:00:00 GMT"));
    assertThat(ProbeRequests.conditionalHeaders(new CachedInRelease(null, null, "ab", null)))
        .isEmpty();
    assertThat(ProbeRequests.conditionalHeaders(null)).isEmpty();
  }
}
