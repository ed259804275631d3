package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mirrordirector.director.TestFleet.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.FamilyState;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.Unreachable;

/**
 * The routing rules one mirror is checked against, by name: each rule alone decides, the first that
 * fails is the one reported, its reason is built only when asked for ({@code ?explain}, the status
 * page) and never on a redirect, and a mirror that passes says why it qualifies.
 */
class MirrorChecksTest {
  @TempDir static Path dir;

  @BeforeAll
  static void twoSnapshots() throws Exception {
    TestFleet.create(dir);
  }

  private static final MirrorChecks CHECKS = new MirrorChecks(SelectionPolicy.defaults());

  private static MirrorCandidate check(MirrorView m, String raw, String scheme, boolean why)
      throws Exception {
    return check(m, raw, scheme, GB, why);
  }

  private static MirrorCandidate check(
      MirrorView m, String raw, String scheme, ClientLocation client, boolean why)
      throws Exception {
    RequestPath path = RequestPath.classify(raw, List.of("/raspbian/"));
    RequestAsk a =
        new RequestAsk(
            path,
            scheme,
            client,
            path.suite() == null ? Optional.empty() : Optional.of(s2),
            files,
            NOW,
            path.kind() == PathKind.POOL ? files.poolMask(path.path()) : 0L,
            true);
    return CHECKS.evaluate(m, a, 1, 10.0, why);
  }

  private static MirrorConfig with(MirrorConfig c, boolean enabled, boolean drained) {
    return copy(c, enabled, drained, c.architectures());
  }

  private static final String INRELEASE = "/raspbian/dists/bookworm/InRelease";

  @Test
  void aMirrorAtTheCurrentSnapshotQualifiesAndSaysWhy() throws Exception {
    MirrorView ok = m(mirror("ok", "GB", true, List.of()), state("ok", s2, Health.OK, null));
    MirrorCandidate c = check(ok, INRELEASE, "https", true);
    assertThat(c.eligible()).isTrue();
    assertThat(c.reason()).isEqualTo("serves the current snapshot of bookworm");
    assertThat(c.base()).isEqualTo("https://ok.example.org/raspbian");
  }

  @Test
  void eachRuleAloneExcludesAndTheFirstThatFailsIsTheOneReported() throws Exception {
    MirrorConfig base = mirror("m", "GB", true, List.of());
    MirrorView disabledAndDrained = m(with(base, false, true), state("m", s2, Health.OK, null));
    assertThat(check(disabledAndDrained, INRELEASE, "https", true).reason()).isEqualTo("disabled");
    MirrorView drained = m(with(base, true, true), state("m", s2, Health.OK, null));
    assertThat(check(drained, INRELEASE, "https", true).reason()).isEqualTo("drained");
    MirrorView httpOnly = m(mirror("m", "GB", false, List.of()), state("m", s2, Health.OK, null));
    assertThat(check(httpOnly, INRELEASE, "https", true).reason()).isEqualTo("has no https URL");
    assertThat(check(httpOnly, INRELEASE, "http", true).eligible()).isTrue();
    MirrorView usOnly = m(mirror("m", "US", true, List.of("US")), state("m", s2, Health.OK, null));
    assertThat(check(usOnly, INRELEASE, "https", true).reason())
        .isEqualTo("serves only clients in [US]");
    MirrorView unprobed = m(base, null);
    assertThat(check(unprobed, INRELEASE, "https", true).reason()).isEqualTo("not probed yet");
    MirrorView down = m(base, state("m", s2, Health.DOWN, null));
    assertThat(check(down, INRELEASE, "https", true).reason()).isEqualTo("down: DOWN reason");
  }

  @Test
  void aMirrorTheQuickCheckFoundNotAnsweringIsOutOfRoutingBeforeItIsDown() throws Exception {
    MirrorConfig base = mirror("m", "GB", true, List.of());
    MirrorView ok = m(base, state("m", s2, Health.OK, null));
    MirrorView gone =
        new MirrorView(
            base, ok.state(), new Unreachable("m", NOW - 2_400, "no answer within 500 ms"));
    for (String path :
        List.of(INRELEASE, "/raspbian/" + onlyInS2, "/raspbian/project/trace/master")) {
      assertThat(check(ok, path, "http", true).eligible()).as(path).isTrue();
      MirrorCandidate c = check(gone, path, "http", true);
      assertThat(c.eligible()).as(path).isFalse();
      assertThat(c.reason())
          .isEqualTo("not answering for 2 s (the quick check: no answer within 500 ms)");
      assertThat(check(gone, path, "http", false).reason()).isNull();
    }
    // Drained says drained: the operator's word comes first.
    MirrorView drained = new MirrorView(with(base, true, true), ok.state(), gone.unreachable());
    assertThat(check(drained, INRELEASE, "http", true).reason()).isEqualTo("drained");
  }

  @Test
  void noReasonIsBuiltForARedirectButTheVerdictIsTheSame() throws Exception {
    MirrorConfig base = mirror("m", "GB", true, List.of());
    for (MirrorView m :
        List.of(
            m(mirror("m", "GB", false, List.of()), state("m", s2, Health.OK, null)),
            m(mirror("m", "US", true, List.of("US")), state("m", s2, Health.OK, null)),
            m(base, state("m", s1, Health.SYNCING, null)))) {
      MirrorCandidate asked = check(m, INRELEASE, "https", true);
      MirrorCandidate quiet = check(m, INRELEASE, "https", false);
      assertThat(quiet.eligible()).isEqualTo(asked.eligible()).isFalse();
      assertThat(quiet.reason()).as(asked.reason()).isNull();
    }
  }

  @Test
  void aClientIsSentOnlyToAMirrorThatAnswersOverItsAddressFamily() throws Exception {
    MirrorView v4only =
        m(
            mirror("m", "GB", true, List.of()),
            families(
                state("m", s2, Health.OK, null),
                new FamilyState(true, "answers at 192.0.2.80:80"),
                new FamilyState(false, "no AAAA record")));
    ClientLocation v6 = new ClientLocation("2001:db8::10", "GB", "EU", 64500L, 51.5, -0.1);
    MirrorCandidate c = check(v4only, INRELEASE, "https", v6, true);
    assertThat(c.eligible()).isFalse();
    assertThat(c.reason())
        .isEqualTo(
            "the client came over IPv6, and the mirror has no working IPv6 address: no AAAA"
                + " record");
    assertThat(check(v4only, INRELEASE, "https", GB, true).eligible()).isTrue();
  }

  @Test
  void aPoolFileGoesOnlyToAMirrorWhoseSnapshotListsIt() throws Exception {
    MirrorView atS1 = m(mirror("m", "GB", true, List.of()), state("m", s1, Health.OK, null));
    MirrorView atS2 = m(mirror("m", "GB", true, List.of()), state("m", s2, Health.OK, null));
    assertThat(check(atS1, "/raspbian/" + onlyInS2, "https", true).eligible()).isFalse();
    assertThat(check(atS2, "/raspbian/" + onlyInS2, "https", true).eligible()).isTrue();
    assertThat(check(atS1, "/raspbian/" + inBoth, "https", true).eligible()).isTrue();
  }
}
