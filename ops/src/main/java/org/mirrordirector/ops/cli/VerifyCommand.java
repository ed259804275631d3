package org.mirrordirector.ops.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.mirrordirector.ops.common.DurationConverter;
import org.mirrordirector.ops.common.InstantConverter;
import org.mirrordirector.sync.archive.ArchiveSource;
import org.mirrordirector.sync.archive.ArchiveVerifier;
import org.mirrordirector.sync.archive.ExtraIndex;
import org.mirrordirector.sync.archive.HttpArchiveSource;
import org.mirrordirector.sync.archive.LocalArchiveSource;
import org.mirrordirector.sync.archive.PoolCheck;
import org.mirrordirector.sync.archive.Problem;
import org.mirrordirector.sync.archive.Rfc2822Dates;
import org.mirrordirector.sync.archive.Selection;
import org.mirrordirector.sync.archive.Sha1Policy;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.archive.VerificationCounts;
import org.mirrordirector.sync.archive.VerificationReport;
import org.mirrordirector.sync.archive.VerifyOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mirrorctl verify}: checks an archive tree or a mirror's URL against a keyring. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify an archive: signature, Release header, every index, every stanza, by-hash and the"
          + " pool.",
      "Exits 0 when everything verifies, 1 on any problem, 2 on a usage error."
    })
public final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "PATH|URL",
      description = "Archive root: a directory holding dists/ and pool/, or an http(s) URL.")
  public String archive;

  @Option(names = "--suite", required = true, description = "Suite or codename, e.g. bookworm.")
  public String suite;

  @Option(
      names = "--keyring",
      required = true,
      paramLabel = "FILE",
      description = "OpenPGP public keyring (armored .asc or binary .gpg) with the archive key.")
  public Path keyring;

  @Option(
      names = "--fingerprint",
      paramLabel = "FPR",
      description = "Trust only this primary key of the keyring (repeatable).")
  public List<String> fingerprints = new ArrayList<>();

  @Option(
      names = "--sha1-bindings",
      paramLabel = "allow|reject",
      description =
          "Accept keys whose binding self-signatures use SHA-1 (Raspbian's key needs allow)."
              + " Default: ${DEFAULT-VALUE}.",
      defaultValue = "reject")
  public String sha1Bindings;

  @Option(
      names = "--components",
      split = ",",
      description =
          "Components a partial mirror carries (default: all in the Release). Indexes of others"
              + " are not required.")
  public List<String> components = new ArrayList<>();

  @Option(
      names = "--arch",
      split = ",",
      description =
          "Architectures a partial mirror carries, 'source' for source packages (default: all"
              + " and source).")
  public List<String> architectures = new ArrayList<>();

  @Option(
      names = "--languages",
      paramLabel = "LANG,...|none",
      description = "Translation-LANG files carried, or none (default: all).")
  public String languages;

  @Option(
      names = "--extras",
      paramLabel = "contents,installer,dep11,pdiffs|none|all",
      defaultValue = "all",
      description =
          "Indexes apt does not need that are carried: Contents, the installer's, AppStream"
              + " (dep11), pdiffs (INDEX.diff/). Default: ${DEFAULT-VALUE}.")
  public String extras;

  @Option(
      names = "--pool",
      paramLabel = "none|size|hash",
      defaultValue = "size",
      description = "How to check pool files. Default: ${DEFAULT-VALUE}.")
  public String pool;

  @Option(
      names = "--not-older-than",
      paramLabel = "DATE",
      converter = InstantConverter.class,
      description = "Fail if the Release Date is older (the previous Date, to catch rollbacks).")
  public Instant notOlderThan;

  @Option(
      names = "--max-clock-skew",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "How far in the future a Date may be. Default: ${DEFAULT-VALUE}.")
  public Duration maxClockSkew;

  @Option(names = "--threads", description = "Parallel workers (default: one per core).")
  public Integer threads;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "HTTP timeout per request. Default: ${DEFAULT-VALUE}.")
  public Duration timeout;

  @Option(
      names = "--max-problems",
      defaultValue = "20",
      description = "Problems to list. Default: ${DEFAULT-VALUE}.")
  public int maxProblems;

  @Option(names = "--json", description = "Print the report as JSON.")
  public boolean json;

  @Override
  public Integer call() throws Exception {
    PoolCheck poolCheck = enumOption("--pool", pool, PoolCheck.class);
    Sha1Policy policy =
        switch (sha1Bindings.toLowerCase(Locale.ROOT)) {
          case "allow" -> Sha1Policy.ALLOW_FOR_BINDINGS;
          case "reject" -> Sha1Policy.REJECT;
          default ->
              throw new UsageException(
                  "--sha1-bindings must be allow or reject, not '" + sha1Bindings + "'");
        };
    if (maxProblems < 1) {
      throw new UsageException("--max-problems must be at least 1");
    }
    TrustedKeys keys = TrustedKeys.load(keyring, fingerprints, policy);
    VerifyOptions opts =
        new VerifyOptions(
            suite,
            selection(components, architectures, languages, extras),
            poolCheck,
            java.util.Optional.ofNullable(notOlderThan),
            maxClockSkew,
            java.time.Clock.systemUTC(),
            threads == null ? Runtime.getRuntime().availableProcessors() : threads,
            maxProblems,
            java.util.Set.of(),
            java.util.Optional.empty());
    ArchiveSource source = source(archive, timeout);
    VerificationReport r;
    try {
      r = new ArchiveVerifier(keys).verify(source, opts);
    } finally {
      if (source instanceof AutoCloseable c) {
        c.close();
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(
          new ObjectMapper()
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(toJson(r, poolCheck)));
    } else {
      printHuman(out, r, poolCheck, opts.selection());
    }
    out.flush();
    return r.ok() ? ExitCode.OK : ExitCode.FAILED;
  }

  /** The partial-mirror selection the options name; a usage error naming the option if bad. */
  public static Selection selection(
      List<String> components, List<String> architectures, String languages, String extras) {
    Set<ExtraIndex> ex;
    try {
      ex = ExtraIndex.parse(extras);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--extras: " + e.getMessage());
    }
    java.util.Optional<List<String>> langs =
        languages == null
            ? java.util.Optional.empty()
            : java.util.Optional.of(
                languages.equals("none") ? List.of() : List.of(languages.split(",")));
    try {
      return new Selection(components, architectures, langs, ex);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--components/--arch/--languages: " + e.getMessage());
    }
  }

  public static ArchiveSource source(String archive, Duration timeout) {
    if (archive.startsWith("http://") || archive.startsWith("https://")) {
      try {
        return new HttpArchiveSource(URI.create(archive), timeout);
      } catch (IllegalArgumentException e) {
        throw new UsageException("'" + archive + "' is not a valid URL: " + e.getMessage());
      }
    }
    if (archive.contains("://")) {
      throw new UsageException("only http and https URLs are supported: " + archive);
    }
    Path p = Path.of(archive);
    if (!Files.isDirectory(p)) {
      throw new UsageException(archive + " is not a directory");
    }
    return new LocalArchiveSource(p);
  }

  public static <E extends Enum<E>> E enumOption(String name, String value, Class<E> type) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (E c : type.getEnumConstants()) {
        allowed.add(c.name().toLowerCase(Locale.ROOT));
      }
      throw new UsageException(
          name + " must be one of " + String.join(", ", allowed) + ", not '" + value + "'");
    }
  }

  private static void printHuman(
      PrintWriter out, VerificationReport r, PoolCheck pool, Selection sel) {
    VerificationCounts c = r.counts();
    out.printf("archive   %s (suite %s)%n", r.archive(), r.suite());
    if (!sel.full()) {
      out.printf("carries   %s%n", sel.describe());
    }
    out.printf("snapshot  %s%n", r.snapshot().map(Object::toString).orElse("-"));
    r.signature()
        .ifPresent(
            s ->
                out.printf(
                    "signed    by %s on %s (%s)%n",
                    s.signingFingerprint(), Rfc2822Dates.format(s.created()), s.hash()));
    r.date()
        .ifPresent(
            d ->
                out.printf(
                    "date      %s%s%n",
                    Rfc2822Dates.format(d),
                    r.validUntil().map(v -> ", valid until " + Rfc2822Dates.format(v)).orElse("")));
    out.printf(
        "checked   %d index files (%s), %d packages, %d sources, %d pool files (%s, %s)%n",
        c.indexFiles(),
        bytes(c.indexBytes()),
        c.packages(),
        c.sources(),
        c.poolFiles(),
        bytes(c.poolBytes()),
        switch (pool) {
          case NONE -> "not checked";
          case SIZE -> "by size";
          case HASH -> bytes(c.poolBytesHashed()) + " hashed";
        });
    double secs = r.elapsed().toNanos() / 1e9;
    if (r.ok()) {
      out.printf(Locale.ROOT, "result    OK in %.2f s%n", secs);
      return;
    }
    out.printf(
        Locale.ROOT,
        "result    FAILED: %d problem%s in %.2f s%n",
        r.problemCount(),
        r.problemCount() == 1 ? "" : "s",
        secs);
    for (Problem p : r.problems()) {
      out.println("  " + p);
    }
    if (r.problemCount() > r.problems().size()) {
      out.printf("  ... and %d more%n", r.problemCount() - r.problems().size());
    }
  }

  private static Map<String, Object> toJson(VerificationReport r, PoolCheck pool) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", r.ok());
    m.put("archive", r.archive());
    m.put("suite", r.suite());
    m.put("snapshot", r.snapshot().map(Object::toString).orElse(null));
    m.put("codename", r.codename().orElse(null));
    m.put("date", r.date().map(Object::toString).orElse(null));
    m.put("validUntil", r.validUntil().map(Object::toString).orElse(null));
    r.signature()
        .ifPresent(
            s -> {
              Map<String, Object> sig = new LinkedHashMap<>();
              sig.put("key", s.primaryFingerprint());
              sig.put("signingKey", s.signingFingerprint());
              sig.put("created", s.created().toString());
              sig.put("hash", s.hash());
              m.put("signature", sig);
            });
    VerificationCounts c = r.counts();
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("indexFiles", c.indexFiles());
    counts.put("indexBytes", c.indexBytes());
    counts.put("packages", c.packages());
    counts.put("sources", c.sources());
    counts.put("poolFiles", c.poolFiles());
    counts.put("poolBytes", c.poolBytes());
    counts.put("poolBytesHashed", c.poolBytesHashed());
    counts.put("poolCheck", pool.name().toLowerCase(Locale.ROOT));
    m.put("counts", counts);
    m.put("problemCount", r.problemCount());
    List<Map<String, Object>> ps = new ArrayList<>();
    for (Problem p : r.problems()) {
      Map<String, Object> pm = new LinkedHashMap<>();
      pm.put("kind", p.kind().name().toLowerCase(Locale.ROOT));
      pm.put("file", p.file());
      pm.put("message", p.message());
      pm.put("expected", p.expected());
      pm.put("found", p.found());
      ps.add(pm);
    }
    m.put("problems", ps);
    m.put("elapsedMillis", r.elapsed().toMillis());
    return m;
  }

  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    double v = n;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
