package org.mirrordirector.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A systemd unit's {@code [Service]} run as systemd would run it, where systemd is not PID 1 (a
 * container, CI): the unit file is the source of truth. Its user and group, its sandbox ({@code
 * ProtectSystem=full}: {@code /usr}, {@code /boot} and {@code /etc} read-only; {@code
 * ProtectHome=true}: {@code /home}, {@code /root} and {@code /run/user} empty and read-only; {@code
 * PrivateTmp}: a {@code /tmp} and {@code /var/tmp} of its own; {@code NoNewPrivileges}; {@code
 * LimitNOFILE}), its {@code StateDirectory} (made and owned by the user), its environment
 * (systemd's minimal one: {@code PATH}, {@code HOME}, {@code USER}, {@code LOGNAME}, {@code
 * STATE_DIRECTORY}) and working directory ({@code /}) are reproduced with util-linux's {@code
 * unshare} (a mount namespace of its own) and {@code setpriv}. A directive this class does not
 * reproduce fails at once, naming it: a unit that grows a new one must grow its reproduction too.
 * Root only.
 */
public final class UnitSandbox {
  /** Directives read and reproduced, or with no effect on how the process runs under test. */
  private static final Set<String> KNOWN =
      Set.of(
          "Type",
          "User",
          "Group",
          "ExecStartPre",
          "ExecStart",
          "KillSignal",
          "TimeoutStopSec",
          "Restart",
          "RestartSec",
          "StateDirectory",
          "LimitNOFILE",
          "NoNewPrivileges",
          "ProtectSystem",
          "ProtectHome",
          "PrivateTmp",
          "SuccessExitStatus");

  private final Map<String, List<String>> service;

  private UnitSandbox(Map<String, List<String>> service) {
    this.service = service;
  }

  /** Reads the unit's [Service] section; fails on a directive it cannot reproduce. */
  public static UnitSandbox read(Path unit) throws IOException {
    Map<String, List<String>> s = new LinkedHashMap<>();
    String section = "";
    for (String raw : Files.readAllLines(unit)) {
      String l = raw.strip();
      if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
        continue;
      }
      if (l.startsWith("[")) {
        section = l;
        continue;
      }
      if (!section.equals("[Service]")) {
        continue;
      }
      int eq = l.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(unit + ": not a directive: " + l);
      }
      String key = l.substring(0, eq);
      if (!KNOWN.contains(key)) {
        throw new IllegalArgumentException(
            unit + ": " + key + " is not reproduced by the test's sandbox (UnitSandbox): " + l);
      }
      s.computeIfAbsent(key, k -> new ArrayList<>()).add(l.substring(eq + 1));
    }
    UnitSandbox u = new UnitSandbox(s);
    u.require("ProtectSystem", "full");
    u.require("ProtectHome", "true");
    u.require("PrivateTmp", "true");
    u.require("NoNewPrivileges", "true");
    return u;
  }

  private void require(String key, String value) {
    String v = one(key);
    if (v != null && !v.equals(value)) {
      throw new IllegalArgumentException(
          key + "=" + v + " is not reproduced by the test's sandbox (only " + value + ")");
    }
  }

  /** The single value of a directive, or null. */
  public String one(String key) {
    List<String> v = service.get(key);
    return v == null ? null : v.get(v.size() - 1);
  }

  public String user() {
    return one("User");
  }

  /** /var/lib/NAME for StateDirectory=NAME. */
  public Path stateDirectory() {
    return Path.of("/var/lib", one("StateDirectory"));
  }

  /** The exit statuses systemd counts as a clean stop: 0, and SuccessExitStatus's numbers. */
  public Set<Integer> successExitStatuses() {
    Set<Integer> ok = new java.util.HashSet<>(Set.of(0));
    for (String v : service.getOrDefault("SuccessExitStatus", List.of())) {
      for (String w : v.split("\\s+")) {
        if (w.matches("\\d+")) {
          ok.add(Integer.parseInt(w));
        }
      }
    }
    return ok;
  }

  /** The seconds systemd waits after KillSignal before SIGKILL (its default: 90). */
  public long timeoutStopSeconds() {
    String v = one("TimeoutStopSec");
    return v == null ? 90 : Long.parseLong(v.replaceAll("s$", ""));
  }

  /** ExecStartPre's commands, each as a command line run in the sandbox. */
  public List<List<String>> execStartPre() {
    List<List<String>> all = new ArrayList<>();
    for (String v : service.getOrDefault("ExecStartPre", List.of())) {
      all.add(sandboxed(v));
    }
    return all;
  }

  /** ExecStart as a command line run in the sandbox (its process is the service's main one). */
  public List<String> execStart() {
    return sandboxed(one("ExecStart"));
  }

  /** Any command line run as the service's processes are (the tests' probes of the sandbox). */
  public List<String> sandboxed(String commandLine) {
    if (commandLine.isEmpty() || "-@+!:".indexOf(commandLine.charAt(0)) >= 0) {
      throw new IllegalArgumentException(
          "an Exec line with a prefix is not reproduced by the test's sandbox: " + commandLine);
    }
    if (commandLine.contains("\"") || commandLine.contains("'") || commandLine.contains("$")) {
      throw new IllegalArgumentException(
          "quotes and variables in an Exec line are not reproduced: " + commandLine);
    }
    String user = user();
    String group = one("Group") == null ? user : one("Group");
    Path home = stateDirectory();
    StringBuilder script = new StringBuilder("set -e\n");
    // ProtectSystem=full: /usr, /boot, /efi and /etc read-only.
    for (String d : List.of("/usr", "/boot", "/efi", "/etc")) {
      script
          .append("if [ -d ")
          .append(d)
          .append(" ]; then mount --bind ")
          .append(d)
          .append(' ')
          .append(d)
          .append("; mount -o remount,bind,ro ")
          .append(d)
          .append("; fi\n");
    }
    // ProtectHome=true: the homes empty and read-only.
    for (String d : List.of("/home", "/root", "/run/user")) {
      script
          .append("if [ -d ")
          .append(d)
          .append(" ]; then mount -t tmpfs -o ro,mode=0755 tmpfs ")
          .append(d)
          .append("; fi\n");
    }
    // PrivateTmp=true.
    script.append("mount -t tmpfs -o mode=1777 tmpfs /tmp\n");
    script.append("mount -t tmpfs -o mode=1777 tmpfs /var/tmp\n");
    String nofile = one("LimitNOFILE");
    if (nofile != null) {
      // Where the machine's own hard limit is lower (a container without CAP_SYS_RESOURCE), as
      // high as it allows.
      script
          .append("ulimit -n ")
          .append(nofile)
          .append(" 2>/dev/null || ulimit -n \"$(ulimit -Hn)\"\n");
    }
    script.append("cd /\n");
    script
        .append("exec setpriv --reuid=")
        .append(user)
        .append(" --regid=")
        .append(group)
        .append(" --init-groups");
    if ("true".equals(one("NoNewPrivileges"))) {
      script.append(" --no-new-privs");
    }
    script
        .append(" -- env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .append(" HOME=")
        .append(home)
        .append(" USER=")
        .append(user)
        .append(" LOGNAME=")
        .append(user)
        .append(" STATE_DIRECTORY=")
        .append(home)
        .append(' ')
        .append(commandLine)
        .append('\n');
    return List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script.toString());
  }
}
