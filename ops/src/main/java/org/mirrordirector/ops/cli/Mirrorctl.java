package org.mirrordirector.ops.cli;

import java.io.PrintWriter;
import org.mirrordirector.ops.common.BuildInfo;
import org.mirrordirector.sync.archive.KeyringException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The operator's command line: the root of the command tree. Exit codes: {@link ExitCode}. */
@Command(
    name = "mirrorctl",
    mixinStandardHelpOptions = true,
    // --help and --version on every command and subcommand (MirrorctlTest walks the tree).
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = Mirrorctl.Version.class,
    description = "Mirror Director: verified mirrors of Debian-style archives.",
    subcommands = {
      VerifyCommand.class,
      ArchiveCommand.class,
      NodeCommand.class,
      SourcesCommand.class,
      StatusCommand.class,
      DemoCommand.class,
      DrillCommand.class,
      SoakCommand.class,
      MirrorsCommand.class
    })
public final class Mirrorctl {
  public static void main(String[] args) {
    logDefaults();
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Log lines with their time; the libraries' chatter at warnings only. Each can be changed with
   * -Dorg.slf4j.simpleLogger.… (for example in MIRRORCTL_JAVA_OPTS).
   */
  public static void logDefaults() {
    String p = "org.slf4j.simpleLogger.";
    java.util.Map<String, String> d =
        java.util.Map.of(
            p + "showDateTime", "true",
            p + "dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
            p + "log.org.apache.zookeeper", "warn",
            p + "log.org.apache.curator", "warn",
            p + "log.org.eclipse.jetty", "warn");
    d.forEach(
        (k, v) -> {
          if (System.getProperty(k) == null) {
            System.setProperty(k, v);
          }
        });
  }

  /** Runs a command line with the given output streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = commandLine();
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(e -> ExitCode.USAGE);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("mirrorctl: " + ex.getMessage());
          CommandLine c = ex.getCommandLine();
          err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
          return ExitCode.USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          if (ex instanceof UsageException
              || ex instanceof KeyringException
              || ex instanceof IllegalArgumentException) {
            err.println("mirrorctl: " + ex.getMessage());
            return ExitCode.USAGE;
          }
          if (ex instanceof java.io.IOException) {
            err.println("mirrorctl: " + ex.getMessage());
            return ExitCode.FAILED;
          }
          err.println("mirrorctl: internal error: " + ex);
          if (System.getenv("MIRRORCTL_DEBUG") != null) {
            ex.printStackTrace(err);
          } else {
            err.println("(set MIRRORCTL_DEBUG=1 for the stack trace)");
          }
          return ExitCode.INTERNAL;
        });
    return cl.execute(args);
  }

  /** The command tree (also what the manual pages and the bash completion are written from). */
  public static CommandLine commandLine() {
    return new CommandLine(new Mirrorctl());
  }

  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"mirrorctl " + BuildInfo.describe()};
    }
  }
}
