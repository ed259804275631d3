package org.mirrordirector.ops.node;

import java.util.Locale;

/**
 * {@code docs/configuration.md}: every key of {@code node.yaml}, written from the option table
 * ({@link NodeOptions#ALL}) that the parser, {@code --print-config} and the example file read, so
 * the reference cannot name a key the node does not take, nor miss one.
 */
public final class ConfigurationReference {
  private ConfigurationReference() {}

  /** The reference, in Markdown. */
  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Configuration reference\n\n")
        .append("`mirrorctl node --config node.yaml` reads a YAML file of sections. Every key")
        .append(" the node takes is below,\nwith its type, its default and its meaning; a key")
        .append(" without a default must be given. An unknown key,\na bad value or a section")
        .append(" given twice stops the node at start with the file, the line and the key\n")
        .append("(exit code 2). `mirrorctl node --config FILE --print-config` prints every key's")
        .append(" effective value;\n`ops/examples/node.yaml` shows them all, the optional ones")
        .append(" commented out at their defaults.\n\n")
        .append("This file is generated from the node's option table; a test fails when they")
        .append(" differ.\n\n")
        .append("Types: a duration is written `500ms`, `90s`, `5m`, `2h` or `7d`; a size `0`,")
        .append(" `512KiB`, `64MiB` or\n`1GiB`; a list `[a, b]` or one item per line (`- a`).\n");
    String section = "";
    for (ConfigOption o : NodeOptions.ALL) {
      String s = o.key().substring(0, o.key().indexOf('.'));
      if (!s.equals(section)) {
        sb.append("\n## `").append(s).append(":`\n\n");
        sb.append("| key | type | default | meaning |\n|---|---|---|---|\n");
        section = s;
      }
      sb.append("| `")
          .append(o.key().substring(s.length() + 1))
          .append("` | ")
          .append(o.type().name().toLowerCase(Locale.ROOT))
          .append(" | ")
          .append(o.defaultValue() == null ? "(required)" : "`" + shown(o.defaultValue()) + "`")
          .append(" | ")
          .append(o.help().replace("|", "\\|"))
          .append(" |\n");
    }
    sb.append("\n## `archives:`\n\n")
        .append("Further archives this node serves, a list; each is synced, verified, published")
        .append(" and routed on its\nown. An entry takes `root` (required: where clients ask")
        .append(" for it, such as `/debian/`) and the keys\nof `archive:` above (`name` is")
        .append(" required), except the node's one rsync daemon's: ")
        .append(
            String.join(
                ", ",
                NodeConfigValues.NODE_WIDE.stream().sorted().map(k -> "`" + k + "`").toList()))
        .append(".\n");
    return sb.toString();
  }

  private static String shown(String value) {
    return value.isEmpty() ? "\"\"" : value;
  }
}
