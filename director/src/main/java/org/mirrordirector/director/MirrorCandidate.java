package org.mirrordirector.director;

/**
 * One mirror considered.
 *
 * @param reason why it was excluded, or what qualified it
 * @param tier 0 same ASN, 1 same country, 2 same continent, 3 elsewhere
 * @param distanceKm great-circle distance to the client, or null when either is unknown
 */
public record MirrorCandidate(
    String mirror,
    String base,
    boolean eligible,
    String reason,
    int tier,
    Double distanceKm,
    int weight) {}
