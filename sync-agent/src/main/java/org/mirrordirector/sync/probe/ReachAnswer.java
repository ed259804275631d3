package org.mirrordirector.sync.probe;

/**
 * One quick check's answer: its status (0: not a valid answer, {@code problem} says why), and
 * whether its connection may be kept for the next.
 */
record ReachAnswer(int status, boolean keep, String problem) {}
