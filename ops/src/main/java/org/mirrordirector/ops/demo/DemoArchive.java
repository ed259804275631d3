package org.mirrordirector.ops.demo;

import java.util.List;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/** The shape of the archive the demo generates as its upstream, and of each later version. */
public final class DemoArchive {
  private DemoArchive() {}

  /**
   * The demo's archive: Raspbian's components, with source packages, translations and Contents.
   * With {@code --publish-every}, the small shape (main and rpi, binaries only) the moving-mirror
   * figures and bounds were measured with: a version stays small enough that the pushed mirror's
   * throttled copy ends before the next publication.
   */
  public static GeneratorOptions options(
      java.nio.file.Path out, int packages, long seed, boolean full) {
    GeneratorOptions o = GeneratorOptions.small(out, packages, seed);
    return full
        ? o.withComponents(List.of("main", "contrib", "non-free", "rpi", "firmware"))
            .withSources(true)
        : o;
  }
}
