package org.mirrordirector.ops.demo;

import java.nio.file.Path;

/** A version generated and not yet published. */
public record PreparedVersion(int version, Path tree) {}
