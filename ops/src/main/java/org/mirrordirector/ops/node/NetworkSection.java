package org.mirrordirector.ops.node;

import java.time.Duration;

/**
 * How this node connects out: its NAT64 prefix ("auto", "none" or a prefix, checked) and the
 * stagger between the attempts at a name's addresses.
 */
public record NetworkSection(String nat64Prefix, Duration connectStagger) {}
