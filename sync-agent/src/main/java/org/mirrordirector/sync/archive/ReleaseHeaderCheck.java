package org.mirrordirector.sync.archive;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The Release header against what was asked: the suite, the Date (not in the future beyond the
 * allowed skew, not older than the previous one), Valid-Until, and a selection the Release lists.
 */
final class ReleaseHeaderCheck {
  private ReleaseHeaderCheck() {}

  /** Every problem of the header; {@code file} names it in them. */
  static List<Problem> problems(ReleaseFile release, VerifyOptions opt, String file) {
    List<Problem> out = new ArrayList<>();
    if (!release.answersTo(opt.suite())) {
      out.add(
          new Problem(
              ProblemKind.RELEASE,
              file,
              "Release is not for the suite asked for",
              opt.suite(),
              "Suite " + release.suite() + ", Codename " + release.codename()));
    }
    Instant now = opt.clock().instant();
    if (release.date().isAfter(now.plus(opt.maxClockSkew()))) {
      out.add(
          new Problem(
              ProblemKind.RELEASE,
              file,
              "Date is in the future",
              "at most " + Rfc2822Dates.format(now),
              Rfc2822Dates.format(release.date())));
    }
    opt.notOlderThan()
        .filter(prev -> release.date().isBefore(prev))
        .ifPresent(
            prev ->
                out.add(
                    new Problem(
                        ProblemKind.RELEASE,
                        file,
                        "Date is older than the previous Release (a rollback?)",
                        "at least " + Rfc2822Dates.format(prev),
                        Rfc2822Dates.format(release.date()))));
    release
        .validUntil()
        .filter(vu -> vu.isBefore(now))
        .ifPresent(
            vu ->
                out.add(
                    new Problem(
                        ProblemKind.RELEASE,
                        file,
                        "Valid-Until has passed: the Release is expired",
                        "after " + Rfc2822Dates.format(now),
                        Rfc2822Dates.format(vu))));
    for (String what : opt.selection().unknownTo(release)) {
      String[] kv = what.split(" ", 2);
      boolean comp = kv[0].equals("component");
      out.add(
          new Problem(
              ProblemKind.RELEASE,
              file,
              what + " is not in the Release",
              kv[1],
              comp
                  ? "Components: " + String.join(" ", release.components())
                  : "Architectures: " + String.join(" ", release.architectures())));
    }
    return out;
  }
}
