package org.mirrordirector.ops.client;

/** What one run did. */
public record AptAttempt(boolean ok, int exit, String output) {}
