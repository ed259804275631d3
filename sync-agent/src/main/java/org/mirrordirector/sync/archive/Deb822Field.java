package org.mirrordirector.sync.archive;

/** One field of a paragraph. */
public record Deb822Field(String name, String value) {}
