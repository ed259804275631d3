package org.mirrordirector.failover;

import static org.mirrordirector.failover.PayloadChecks.require;

/**
 * A mirror the active node's quick check found not answering: a connection refused or reset, no
 * answer within the check's timeout, or a server error. Written at once, before the probes that
 * record the mirror DOWN have confirmed it; the director sends no client there while it exists.
 * Removed when the mirror has answered as many checks in a row as a health change needs.
 *
 * @param mirror the mirror's id
 * @param sinceMillis when the check first found it not answering (epoch milliseconds)
 * @param reason what the check saw, in words ("connection refused at 192.0.2.7:80")
 */
public record Unreachable(String mirror, long sinceMillis, String reason) {
  /** The longest reason kept: a reason names addresses, not pages. */
  public static final int MAX_REASON = 300;

  public Unreachable {
    RegistryPaths.requireId("mirror", mirror);
    require(sinceMillis > 0, "mirror " + mirror + ": unreachable since " + sinceMillis);
    require(
        reason != null && !reason.isBlank(), "mirror " + mirror + ": unreachable without a reason");
    if (reason.length() > MAX_REASON) {
      reason = reason.substring(0, MAX_REASON - 3) + "...";
    }
  }
}
