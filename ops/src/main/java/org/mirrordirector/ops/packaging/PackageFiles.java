package org.mirrordirector.ops.packaging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.mirrordirector.ops.cli.Mirrorctl;
import org.mirrordirector.ops.common.BuildInfo;
import org.mirrordirector.sync.RunResult;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * The files the packages ship beside the jar, written at build time (Maven's prepare-package) from
 * the command model and the checkout: the manual pages ({@code man/man1/*.1.gz}), bash completion
 * ({@code completion/mirrorctl}), the Debian changelog ({@code changelog.gz}), and {@code
 * build.properties} in the classes (version, commit, date) for {@code --version}.
 *
 * <p>Usage: {@code PackageFiles OUT CLASSES VERSION CHECKOUT}. Everything is reproducible: dates
 * are the commit's (or {@code SOURCE_DATE_EPOCH}), gzip headers carry no time.
 */
public final class PackageFiles {
  public static final String BUILD_PROPERTIES = BuildInfo.PROPERTIES;

  private PackageFiles() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println("usage: PackageFiles OUT CLASSES VERSION CHECKOUT");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Path classes = Path.of(args[1]);
    String version = args[2];
    Build build = Build.of(Path.of(args[3]), version);
    write(out, classes, build);
  }

  /** What was built: the project version and the commit it came from. */
  public record Build(String version, String commit, Instant date) {
    /** From the checkout's git (commit and its date), else "unknown" and SOURCE_DATE_EPOCH. */
    public static Build of(Path checkout, String version) {
      String commit = "unknown";
      Instant date = null;
      String epoch = System.getenv("SOURCE_DATE_EPOCH");
      if (epoch != null && epoch.matches("[0-9]+")) {
        date = Instant.ofEpochSecond(Long.parseLong(epoch));
      }
      String log = git(checkout, "log", "-1", "--format=%H %ct");
      if (log != null && log.matches("[0-9a-f]{40} [0-9]+")) {
        commit = log.substring(0, 12);
        if (date == null) {
          date = Instant.ofEpochSecond(Long.parseLong(log.substring(41)));
        }
        String dirty = git(checkout, "status", "--porcelain", "--untracked-files=no");
        if (dirty != null && !dirty.isEmpty()) {
          commit += "-dirty";
        }
      }
      return new Build(version, commit, date == null ? Instant.EPOCH : date);
    }

    public String day() {
      return DateTimeFormatter.ISO_LOCAL_DATE.format(date.atOffset(ZoneOffset.UTC));
    }

    /**
     * The Debian version jdeb gives the package: {@code 0.1.0-SNAPSHOT} is {@code 0.1.0~SNAPSHOT}.
     */
    public String debianVersion() {
      return version.replace('-', '~');
    }
  }

  private static String git(Path checkout, String... args) {
    String[] cmd = new String[args.length + 3];
    cmd[0] = "git";
    cmd[1] = "-C";
    cmd[2] = checkout.toString();
    System.arraycopy(args, 0, cmd, 3, args.length);
    try {
      // bounded, and its output read without waiting on the pipe: a hung git fails the describe
      ProcessBuilder b = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
      RunResult r =
          org.mirrordirector.sync.BoundedRun.run(
              b, Path.of(System.getProperty("java.io.tmpdir")), java.time.Duration.ofSeconds(30));
      return r.exit() == 0 ? r.output().strip() : null;
    } catch (IOException e) {
      return null; // no git: a build from a tarball
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  public static void write(Path out, Path classes, Build build) throws IOException {
    Path man = out.resolve("man/man1");
    Files.createDirectories(man);
    CommandLine root = Mirrorctl.commandLine();
    for (Map.Entry<String, String> p :
        new ManPages(build.version(), build.day()).all(root).entrySet()) {
      Files.write(man.resolve(p.getKey() + ".gz"), gzip(p.getValue()));
    }
    Path completion = out.resolve("completion");
    Files.createDirectories(completion);
    // Sourced by bash-completion, never run: no #! line (lintian: bash-completion-with-hashbang).
    String script = AutoComplete.bash("mirrorctl", root);
    if (script.startsWith("#!")) {
      script = script.substring(script.indexOf('\n') + 1);
    }
    Files.writeString(completion.resolve("mirrorctl"), script);
    Files.write(out.resolve("changelog.gz"), gzip(changelog(build)));

    Properties p = new Properties();
    p.setProperty("version", build.version());
    p.setProperty("commit", build.commit());
    p.setProperty("date", build.day());
    Path props = classes.resolve(BUILD_PROPERTIES.substring(1));
    Files.createDirectories(props.getParent());
    // Properties.store writes a time stamp; these lines are sorted and have none.
    StringBuilder b = new StringBuilder("# mirrorctl's build, written by PackageFiles\n");
    for (String k : new java.util.TreeSet<>(p.stringPropertyNames())) {
      b.append(k).append('=').append(p.getProperty(k)).append('\n');
    }
    Files.writeString(props, b.toString(), StandardCharsets.ISO_8859_1);
  }

  /** A native package's changelog: one entry for this version, naming the commit. */
  public static String changelog(Build build) {
    // Debian's form, "Mon, 01 Jan 2026 00:00:00 +0000" (RFC 1123's may have a one-digit day).
    String when =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT)
            .format(build.date().atOffset(ZoneOffset.UTC));
    return "mirrordirector ("
        + build.debianVersion()
        + ") unstable; urgency=medium\n\n"
        + "  * Built from commit "
        + build.commit()
        + ".\n"
        + "  * The changes are in the project's history and its issues' closing notes.\n\n"
        + " -- Mirror Director <mirrordirector@example.org>  "
        + when
        + "\n";
  }

  /**
   * gzip at the highest level, with no name and no time in the header (as {@code gzip -9n}):
   * lintian asks for both, and the same input gives the same bytes.
   */
  public static byte[] gzip(String text) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream b = new ByteArrayOutputStream(data.length / 3 + 64);
    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=2 (maximum compression) OS=3 (Unix)
    b.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3});
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    d.setInput(data);
    d.finish();
    byte[] buf = new byte[8192];
    while (!d.finished()) {
      int n = d.deflate(buf);
      b.write(buf, 0, n);
    }
    d.end();
    CRC32 crc = new CRC32();
    crc.update(data);
    writeIntLe(b, (int) crc.getValue());
    writeIntLe(b, data.length);
    return b.toByteArray();
  }

  private static void writeIntLe(ByteArrayOutputStream b, int v) {
    b.write(v);
    b.write(v >>> 8);
    b.write(v >>> 16);
    b.write(v >>> 24);
  }
}
