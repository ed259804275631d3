package org.mirrordirector.ops.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mirrordirector.ops.common.DurationConverter;
import org.mirrordirector.ops.common.InstantConverter;
import org.mirrordirector.sync.archive.Rfc2822Dates;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratedArchive;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mirrorctl archive}: tools for archives themselves. */
@Command(
    name = "archive",
    mixinStandardHelpOptions = true,
    description = "Work with archives.",
    subcommands = {ArchiveCommand.Generate.class})
public final class ArchiveCommand {

  /** {@code mirrorctl archive generate}: a real signed archive for tests and the demo. */
  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Generate a real, signed Debian-format archive (or the next version of one).",
        "The same options always give the same bytes."
      })
  public static final class Generate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "Archive root to write (empty or absent, or the --update-from directory).")
    public Path out;

    @Option(
        names = "--suite",
        defaultValue = "bookworm",
        description = "Suite and codename. Default: ${DEFAULT-VALUE}.")
    public String suite;

    @Option(
        names = "--components",
        split = ",",
        defaultValue = "main,rpi",
        description = "Components. Default: ${DEFAULT-VALUE}.")
    public List<String> components;

    @Option(
        names = "--arch",
        split = ",",
        defaultValue = "armhf",
        description = "Architectures. Default: ${DEFAULT-VALUE}.")
    public List<String> architectures;

    @Option(
        names = "--packages",
        defaultValue = "200",
        description = "Package names in a fresh archive. Default: ${DEFAULT-VALUE}.")
    public int packages;

    @Option(
        names = "--seed",
        defaultValue = "1",
        description = "Seed of everything random. Default: ${DEFAULT-VALUE}.")
    public long seed;

    @Option(
        names = "--by-hash",
        description = "Also publish indexes under by-hash/SHA256 (Acquire-By-Hash: yes).")
    public boolean byHash;

    @Option(
        names = "--update-from",
        paramLabel = "DIR",
        description =
            "Make the next version of this archive (may equal --out, to update in place).")
    public Path updateFrom;

    @Option(
        names = "--change-percent",
        defaultValue = "5",
        description = "With --update-from: percent of packages changed. Default: ${DEFAULT-VALUE}.")
    public double changePercent;

    @Option(
        names = "--date",
        converter = InstantConverter.class,
        description =
            "Release Date (default: 2026-01-01T00:00:00Z, or an hour after the previous version).")
    public Instant date;

    @Option(
        names = "--valid-for",
        converter = DurationConverter.class,
        paramLabel = "DURATION",
        description = "Add Valid-Until = Date + DURATION.")
    public Duration validFor;

    @Option(
        names = "--size-scale",
        defaultValue = "0.01",
        description = "Scale of the real .deb size distribution (0..1]. Default: ${DEFAULT-VALUE}.")
    public double sizeScale;

    @Option(
        names = "--key-seed",
        defaultValue = "mirrordirector-test",
        description =
            "Seed of the signing key; keep it across versions. Default: ${DEFAULT-VALUE}.")
    public String keySeed;

    @Option(
        names = "--sha1-binding",
        description = "Make the key's self-signature use SHA-1, as Raspbian's does.")
    public boolean sha1Binding;

    @Option(
        names = "--key-out",
        paramLabel = "FILE",
        description = "Write the public key here (.gpg: binary, else armored).")
    public Path keyOut;

    @Option(names = "--threads", description = "Parallel package builders (default: one per core).")
    public Integer threads;

    @Option(
        names = "--sources",
        description =
            "Also source packages (.dsc, .orig.tar.xz, .debian.tar.xz) and their Sources indexes,"
                + " Translation-en and Contents-ARCH, as Raspbian publishes them.")
    public boolean sources;

    @Override
    public Integer call() throws Exception {
      if (updateFrom == null
          && spec.commandLine().getParseResult().hasMatchedOption("--change-percent")) {
        throw new UsageException("--change-percent needs --update-from");
      }
      GeneratorOptions o =
          new GeneratorOptions(
              out,
              suite,
              components,
              architectures,
              packages,
              seed,
              byHash,
              Optional.ofNullable(updateFrom),
              updateFrom == null ? 0 : changePercent,
              Optional.ofNullable(date),
              Optional.ofNullable(validFor),
              sizeScale,
              keySeed,
              sha1Binding,
              threads == null ? Runtime.getRuntime().availableProcessors() : threads,
              sources);
      GeneratedArchive r = ArchiveGenerator.generate(o);
      if (keyOut != null) {
        if (keyOut.getParent() != null) {
          Files.createDirectories(keyOut.getParent());
        }
        boolean binary = keyOut.getFileName().toString().endsWith(".gpg");
        Files.write(keyOut, binary ? r.key().publicKeyBinary() : r.key().publicKeyArmored());
      }
      PrintWriter w = spec.commandLine().getOut();
      w.printf("archive   %s%n", r.root());
      w.printf("suite     %s, %s%n", r.suite(), Rfc2822Dates.format(r.date()));
      w.printf("snapshot  %s%n", r.snapshot());
      w.printf(
          "packages  %d names, %d pool files, %s%n",
          r.packageNames(), r.poolFiles(), VerifyCommand.bytes(r.poolBytes()));
      if (updateFrom != null) {
        w.printf(
            "changes   %d upgraded, %d added, %d removed%n", r.upgraded(), r.added(), r.removed());
      }
      w.printf("key       %s%s%n", r.key().fingerprint(), keyOut == null ? "" : " -> " + keyOut);
      w.flush();
      return ExitCode.OK;
    }
  }
}
