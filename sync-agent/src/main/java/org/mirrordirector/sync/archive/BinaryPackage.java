package org.mirrordirector.sync.archive;

/** A Packages stanza, reduced to what identifies the package and its pool file. */
public record BinaryPackage(
    String name, String version, String architecture, String filename, long size, String sha256) {}
