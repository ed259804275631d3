package org.mirrordirector.ops.node;

/** A configuration key: its type, its default (null when it must be given) and its meaning. */
public record ConfigOption(String key, OptionType type, String defaultValue, String help) {}
