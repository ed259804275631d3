package org.mirrordirector.director;

/** What the redirector decided for a request: the client it routed, the mirror and why. */
record AccessNote(String client, String mirror, String reason) {}
