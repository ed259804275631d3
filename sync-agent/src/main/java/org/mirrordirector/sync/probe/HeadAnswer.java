package org.mirrordirector.sync.probe;

/** A HEAD's answer: status (-1 when none), Content-Length (-1 when absent), and in words. */
record HeadAnswer(int status, long length, String problem) {}
