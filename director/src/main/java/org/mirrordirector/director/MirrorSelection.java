package org.mirrordirector.director;

import java.util.List;

/**
 * The choice. {@code location} is set for the redirect outcomes; {@code candidates} holds every
 * mirror with its reason when they were asked for (explain), and is empty otherwise.
 */
public record MirrorSelection(
    RequestPath path,
    String scheme,
    SelectionOutcome outcome,
    String location,
    MirrorCandidate chosen,
    List<MirrorCandidate> candidates,
    String why) {}
