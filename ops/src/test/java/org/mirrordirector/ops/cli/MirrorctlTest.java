package org.mirrordirector.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class MirrorctlTest {
  @TempDir Path dir;
  Path archive;
  public Path key;

  /** One command's exit code and output. */
  public record Run(int code, String out, String err) {}

  public static Run mirrorctl(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Mirrorctl.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  /** mirrorctl verify ARCHIVE --suite bookworm --keyring KEY, then {@code more}. */
  public Run verify(String... more) {
    String[] args = {
      "verify", archive.toString(), "--suite", "bookworm", "--keyring", key.toString()
    };
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return mirrorctl(all);
  }

  @BeforeEach
  void generate() {
    archive = dir.resolve("archive");
    key = dir.resolve("key.asc");
    Run r =
        mirrorctl(
            "archive",
            "generate",
            "--out",
            archive.toString(),
            "--packages",
            "20",
            "--seed",
            "3",
            "--key-out",
            key.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("snapshot  ").contains("packages  20 names");
  }

  @Test
  void theProgramTheDemoStartsByNameIsThisOne() throws Exception {
    assertThat(Class.forName(org.mirrordirector.ops.process.ChildProcesses.MIRRORCTL_MAIN))
        .isSameAs(Mirrorctl.class);
  }

  @Test
  void verifyExitsZeroOnAGoodArchive() {
    Run r = verify("--pool", "hash");
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("result    OK").contains("20 packages");
  }

  @Test
  void verifyExitsOneAndNamesTheProblem() throws Exception {
    Path packages = archive.resolve("dists/bookworm/main/binary-armhf/Packages");
    String first =
        Files.readAllLines(packages).stream()
            .filter(l -> l.startsWith("Filename: "))
            .findFirst()
            .orElseThrow();
    Files.delete(archive.resolve(first.substring(10)));
    Run r = verify();
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .contains("result    FAILED: 1 problem")
        .contains("POOL " + first.substring(10) + ": missing");
  }

  @Test
  void verifyPrintsJson() throws Exception {
    Files.writeString(
        archive.resolve("dists/bookworm/rpi/binary-armhf/Packages.gz"),
        "x",
        StandardOpenOption.APPEND);
    Run r = verify("--json");
    assertThat(r.code()).isEqualTo(1);
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("ok").asBoolean()).isFalse();
    assertThat(j.get("snapshot").asText()).hasSize(64);
    assertThat(j.get("problems").get(0).get("kind").asText()).isEqualTo("index");
    assertThat(j.get("problems").get(0).get("file").asText())
        .isEqualTo("dists/bookworm/rpi/binary-armhf/Packages.gz");
  }

  @Test
  void usageErrorsExitTwoWithAClearMessage() {
    Run missingKeyring =
        mirrorctl(
            "verify",
            archive.toString(),
            "--suite",
            "bookworm",
            "--keyring",
            dir.resolve("nope.asc").toString());
    assertThat(missingKeyring.code()).isEqualTo(2);
    assertThat(missingKeyring.err())
        .isEqualTo("mirrorctl: keyring " + dir.resolve("nope.asc") + " does not exist\n");

    Run noSuite = mirrorctl("verify", archive.toString(), "--keyring", key.toString());
    assertThat(noSuite.code()).isEqualTo(2);
    assertThat(noSuite.err())
        .contains("Missing required option: '--suite=<suite>'")
        .contains("mirrorctl verify --help");

    Run badPool = verify("--pool", "deep");
    assertThat(badPool.code()).isEqualTo(2);
    assertThat(badPool.err())
        .isEqualTo("mirrorctl: --pool must be one of none, size, hash, not 'deep'\n");

    Run notADir =
        mirrorctl(
            "verify",
            dir.resolve("absent").toString(),
            "--suite",
            "bookworm",
            "--keyring",
            key.toString());
    assertThat(notADir.code()).isEqualTo(2);
    assertThat(notADir.err()).contains("is not a directory");

    Run ftp =
        mirrorctl(
            "verify", "ftp://mirror/raspbian", "--suite", "bookworm", "--keyring", key.toString());
    assertThat(ftp.err()).contains("only http and https URLs are supported");

    Run badSkew = verify("--max-clock-skew", "soon");
    assertThat(badSkew.code()).isEqualTo(2);
    assertThat(badSkew.err()).contains("'soon' is not a duration");

    Run badSuite =
        mirrorctl("verify", archive.toString(), "--suite", "../etc", "--keyring", key.toString());
    assertThat(badSuite.code()).isEqualTo(2);
    assertThat(badSuite.err()).contains("invalid suite name '../etc'");

    Run unknown = mirrorctl("frobnicate");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unmatched argument at index 0: 'frobnicate'");
  }

  @Test
  void generateRejectsBadArgumentsAndOverwrites() {
    Run again = mirrorctl("archive", "generate", "--out", archive.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).isEqualTo("mirrorctl: output directory " + archive + " is not empty\n");

    Run pct =
        mirrorctl(
            "archive", "generate", "--out", dir.resolve("x").toString(), "--change-percent", "5");
    assertThat(pct.code()).isEqualTo(2);
    assertThat(pct.err()).contains("--change-percent needs --update-from");

    Run scale =
        mirrorctl("archive", "generate", "--out", dir.resolve("y").toString(), "--size-scale", "3");
    assertThat(scale.code()).isEqualTo(2);
    assertThat(scale.err()).contains("invalid size scale (0..1]: 3.0");
  }

  @Test
  void updateThenVerifyWithRollbackProtection() {
    Path next = dir.resolve("next");
    Run u =
        mirrorctl(
            "archive",
            "generate",
            "--out",
            next.toString(),
            "--update-from",
            archive.toString(),
            "--change-percent",
            "10",
            "--seed",
            "3");
    assertThat(u.code()).as(u.err()).isZero();
    assertThat(u.out()).contains("changes   1 upgraded");
    Run ok =
        mirrorctl(
            "verify",
            next.toString(),
            "--suite",
            "bookworm",
            "--keyring",
            key.toString(),
            "--not-older-than",
            "2026-01-01T00:00:00Z");
    assertThat(ok.code()).as(ok.out()).isZero();
    Run rollback = verify("--not-older-than", "Thu, 01 Jan 2026 01:00:00 UTC");
    assertThat(rollback.code()).isEqualTo(1);
    assertThat(rollback.out()).contains("Date is older than the previous Release (a rollback?)");
  }

  /**
   * Walks the whole command tree: every command and subcommand answers --help and -h with its own
   * usage (exit 0, whatever options it requires), and every option and parameter says what it is.
   */
  @Test
  void everyCommandHasHelp() {
    List<picocli.CommandLine> todo = new ArrayList<>(List.of(Mirrorctl.commandLine()));
    int walked = 0;
    while (!todo.isEmpty()) {
      picocli.CommandLine c = todo.remove(0);
      todo.addAll(c.getSubcommands().values());
      var spec = c.getCommandSpec();
      List<String> words = new ArrayList<>(List.of(spec.qualifiedName().split(" ")));
      words.remove(0);
      for (String help : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(words);
        args.add(help);
        Run r = mirrorctl(args.toArray(String[]::new));
        assertThat(r.code()).as(args + ": " + r.err()).isZero();
        assertThat(r.out()).as(args.toString()).startsWith("Usage: " + spec.qualifiedName());
      }
      assertThat(spec.usageMessage().description()).as(spec.qualifiedName()).isNotEmpty();
      for (var o : spec.options()) {
        assertThat(o.description()).as(spec.qualifiedName() + " " + o.longestName()).isNotEmpty();
      }
      // picocli formats each line of a description (for %n): a lone % prints a warning instead.
      Object command = spec.userObject();
      List<String> lines = new ArrayList<>();
      picocli.CommandLine.Command annotation =
          command.getClass().getAnnotation(picocli.CommandLine.Command.class);
      if (annotation != null) {
        lines.addAll(List.of(annotation.description()));
      }
      for (java.lang.reflect.Field f : command.getClass().getDeclaredFields()) {
        picocli.CommandLine.Option opt = f.getAnnotation(picocli.CommandLine.Option.class);
        if (opt != null) {
          lines.addAll(List.of(opt.description()));
        }
      }
      for (String line : lines) {
        org.assertj.core.api.Assertions.assertThatCode(() -> String.format(line))
            .as("%s: %s", spec.qualifiedName(), line)
            .doesNotThrowAnyException();
      }
      for (var p : spec.positionalParameters()) {
        assertThat(p.description()).as(spec.qualifiedName() + " " + p.paramLabel()).isNotEmpty();
      }
      walked++;
    }
    assertThat(walked).isGreaterThanOrEqualTo(14);
  }

  @Test
  void theDemoWritesOutsideTheCheckoutByDefault() {
    picocli.CommandLine cl = Mirrorctl.commandLine();
    cl.parseArgs("demo");
    Path dir = ((DemoCommand) cl.getSubcommands().get("demo").getCommand()).dir;
    assertThat(dir).isAbsolute();
    assertThat(dir.startsWith(Path.of("").toAbsolutePath().getParent())).isFalse();
    assertThat(dir)
        .isEqualTo(Path.of(System.getProperty("user.home"), ".local/state/mirrordirector/demo"));
  }

  @Test
  void sha1BindingsArePinnedAndAllowedOnlyOnRequest() {
    Path raspbianLike = dir.resolve("sha1");
    Path sha1Key = dir.resolve("sha1.gpg");
    Run g =
        mirrorctl(
            "archive",
            "generate",
            "--out",
            raspbianLike.toString(),
            "--packages",
            "5",
            "--key-seed",
            "raspbian-like",
            "--sha1-binding",
            "--key-out",
            sha1Key.toString());
    assertThat(g.code()).as(g.err()).isZero();
    String fpr =
        g.out()
            .lines()
            .filter(l -> l.startsWith("key "))
            .findFirst()
            .orElseThrow()
            .split("\\s+")[1];
    String[] base = {
      "verify",
      raspbianLike.toString(),
      "--suite",
      "bookworm",
      "--keyring",
      sha1Key.toString(),
      "--fingerprint",
      fpr
    };
    Run refused = mirrorctl(base);
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.out()).contains("SIGNATURE").contains("SHA-1 binding policy is REJECT");
    String[] allowed = java.util.Arrays.copyOf(base, base.length + 2);
    allowed[base.length] = "--sha1-bindings";
    allowed[base.length + 1] = "allow";
    Run ok = mirrorctl(allowed);
    assertThat(ok.code()).as(ok.out()).isZero();
    assertThat(ok.out()).contains("signed    by " + fpr);
  }
}
