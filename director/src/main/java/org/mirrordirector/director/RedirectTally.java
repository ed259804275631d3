package org.mirrordirector.director;

/** A mirror's counters. */
record RedirectTally(MirrorRedirects metric, RedirectWindow window) {}
