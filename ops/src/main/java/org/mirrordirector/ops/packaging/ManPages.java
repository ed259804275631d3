package org.mirrordirector.ops.packaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Manual pages in troff ({@code man(7)} macros), one per command and subcommand, written from the
 * picocli model: what {@code --help} says, and the exit codes. {@code mirrorctl.1} for the top,
 * {@code mirrorctl-mirrors-add.1} for {@code mirrorctl mirrors add}, as git names its own.
 */
public final class ManPages {
  private final String version;
  private final String date;

  /**
   * @param version the package version shown in the page footer
   * @param date the page date, {@code YYYY-MM-DD} (the commit's, for reproducible packages)
   */
  public ManPages(String version, String date) {
    this.version = version;
    this.date = date;
  }

  /** Every page of the command tree under {@code root}, by file name. */
  public Map<String, String> all(CommandLine root) {
    Map<String, String> pages = new LinkedHashMap<>();
    walk(root, pages);
    return pages;
  }

  private void walk(CommandLine c, Map<String, String> pages) {
    if (c.getCommandSpec().usageMessage().hidden()) {
      return;
    }
    pages.put(fileName(c.getCommandSpec()), page(c.getCommandSpec()));
    for (CommandLine sub : new LinkedHashMap<>(c.getSubcommands()).values()) {
      if (sub.getCommandName().equals(sub.getCommandSpec().name())) { // not an alias
        walk(sub, pages);
      }
    }
  }

  public static String fileName(CommandSpec spec) {
    return pageName(spec) + ".1";
  }

  private static String pageName(CommandSpec spec) {
    return spec.qualifiedName("-");
  }

  /** One page. */
  public String page(CommandSpec spec) {
    StringBuilder b = new StringBuilder(4096);
    String name = pageName(spec);
    b.append(".\\\" Generated from the picocli model of mirrorctl; do not edit.\n");
    b.append(".TH ")
        .append(quote(name.toUpperCase(Locale.ROOT)))
        .append(" 1 ")
        .append(quote(date))
        .append(' ')
        .append(quote("mirrorctl " + version))
        .append(' ')
        .append(quote("Mirror Director"))
        .append('\n');
    b.append(".SH NAME\n").append(escape(name)).append(" \\- ");
    b.append(escape(whatis(spec))).append('\n');

    b.append(".SH SYNOPSIS\n.B ").append(escape(spec.qualifiedName())).append('\n');
    for (OptionSpec o : spec.options()) {
      if (!o.hidden()) {
        b.append(synopsis(o)).append('\n');
      }
    }
    for (PositionalParamSpec p : spec.positionalParameters()) {
      if (!p.hidden()) {
        b.append(p.required() ? "" : "[").append("\\fI").append(escape(p.paramLabel()));
        b.append("\\fR").append(p.required() ? "" : "]").append('\n');
      }
    }
    if (!spec.subcommands().isEmpty()) {
      b.append("\\fICOMMAND\\fR\n");
    }

    b.append(".SH DESCRIPTION\n");
    for (String line : spec.usageMessage().description()) {
      b.append(".PP\n").append(text(spec, line)).append('\n');
    }

    List<OptionSpec> options = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (!o.hidden()) {
        options.add(o);
      }
    }
    if (!options.isEmpty() || !spec.positionalParameters().isEmpty()) {
      b.append(".SH OPTIONS\n");
      for (PositionalParamSpec p : spec.positionalParameters()) {
        if (!p.hidden()) {
          b.append(".TP\n\\fI").append(escape(p.paramLabel())).append("\\fR\n");
          b.append(description(spec, p)).append('\n');
        }
      }
      for (OptionSpec o : options) {
        b.append(".TP\n");
        List<String> names = new ArrayList<>();
        for (String n : o.names()) {
          names.add("\\fB" + escape(n) + "\\fR");
        }
        b.append(String.join(", ", names));
        if (!o.typeInfo().isBoolean()) {
          b.append("=\\fI").append(escape(o.paramLabel())).append("\\fR");
        }
        b.append('\n').append(description(spec, o)).append('\n');
      }
    }

    if (!spec.subcommands().isEmpty()) {
      b.append(".SH COMMANDS\n");
      for (CommandLine sub : spec.subcommands().values()) {
        CommandSpec s = sub.getCommandSpec();
        if (s.usageMessage().hidden() || !sub.getCommandName().equals(s.name())) {
          continue;
        }
        b.append(".TP\n\\fB").append(escape(s.name())).append("\\fR\n");
        b.append(escape(whatis(s))).append(" See \\fB").append(escape(pageName(s)));
        b.append("\\fR(1).\n");
      }
    }

    b.append(".SH EXIT STATUS\n");
    exit(b, "0", "Success.");
    exit(b, "1", "The check or operation failed.");
    exit(b, "2", "A usage error: bad arguments, or an unusable keyring, file or path.");
    exit(b, "3", "An internal error (MIRRORCTL_DEBUG=1 prints the stack trace).");

    b.append(".SH SEE ALSO\n");
    List<String> see = new ArrayList<>();
    if (spec.parent() != null) {
      see.add("\\fB" + escape(pageName(spec.parent())) + "\\fR(1)");
    }
    see.add("/usr/share/doc/mirrordirector/README.md");
    b.append(String.join(", ", see)).append('\n');
    return b.toString();
  }

  private static void exit(StringBuilder b, String code, String meaning) {
    b.append(".TP\n.B ").append(code).append('\n').append(escape(meaning)).append('\n');
  }

  /** The first sentence of the description: the page's NAME line (whatis). */
  public static String whatis(CommandSpec spec) {
    String[] d = spec.usageMessage().description();
    String first = d.length == 0 ? spec.name() : d[0];
    int dot = first.indexOf(". ");
    String s = dot < 0 ? first : first.substring(0, dot + 1);
    if (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1);
    }
    return s.replace("${COMMAND-NAME}", spec.name());
  }

  private static String synopsis(OptionSpec o) {
    String n = "\\fB" + escape(o.longestName()) + "\\fR";
    if (!o.typeInfo().isBoolean()) {
      n += "=\\fI" + escape(o.paramLabel()) + "\\fR";
    }
    if (o.isMultiValue() && !o.paramLabel().endsWith("...")) {
      n += "...";
    }
    return o.required() ? n : "[" + n + "]";
  }

  private static String description(CommandSpec spec, ArgSpec a) {
    StringBuilder b = new StringBuilder();
    for (String line : a.description()) {
      if (b.length() > 0) {
        b.append('\n');
      }
      String s = line.replace("${DEFAULT-VALUE}", String.valueOf(a.defaultValueString()));
      b.append(text(spec, s));
    }
    return b.toString();
  }

  /** A paragraph: picocli's variables resolved, troff's special characters escaped. */
  private static String text(CommandSpec spec, String line) {
    String s = line.replace("${COMMAND-NAME}", spec.name());
    s = s.replace("${COMMAND-FULL-NAME}", spec.qualifiedName());
    s = s.replace("%n", "\n");
    StringBuilder b = new StringBuilder();
    for (String l : s.split("\n", -1)) {
      if (b.length() > 0) {
        b.append("\n.br\n");
      }
      b.append(escape(l.strip()));
    }
    return b.toString();
  }

  /**
   * Text safe in troff: backslashes doubled, hyphens as {@code \-} (so that options copy as ASCII),
   * and a line that would start with a dot or a quote protected by {@code \&}.
   */
  public static String escape(String s) {
    String e = s.replace("\\", "\\e").replace("-", "\\-");
    if (e.startsWith(".") || e.startsWith("'")) {
      e = "\\&" + e;
    }
    return e;
  }

  private static String quote(String s) {
    return "\"" + escape(s).replace("\"", "\\(dq") + "\"";
  }
}
