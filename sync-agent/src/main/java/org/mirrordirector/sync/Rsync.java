package org.mirrordirector.sync;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.mirrordirector.failover.net.Addresses;
import org.mirrordirector.failover.net.ConnectedChannel;
import org.mirrordirector.failover.net.HappyEyeballs;

/**
 * Runs the real rsync binary and reads its itemized output. A daemon source's host name is first
 * raced as {@link HappyEyeballs} does, and rsync is given the address that answered (the rsync
 * binary tries a name's addresses one after another, each until its connect timeout, in the
 * resolver's order); that address is kept for {@link #PIN_FOR}, or until a run fails to reach it. A
 * daemon serves its modules whatever name it is asked by.
 */
final class Rsync {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Rsync.class);

  /** How long the address that answered is used before the host's addresses are raced again. */
  static final Duration PIN_FOR = Duration.ofMinutes(10);

  private record Pin(String address, long atNanos) {}

  private final String binary;
  private final Duration timeout;
  private final HappyEyeballs eyeballs;
  private final Map<String, Pin> pins = new ConcurrentHashMap<>();

  Rsync(String binary, Duration timeout) {
    this(binary, timeout, new HappyEyeballs());
  }

  Rsync(String binary, Duration timeout, HappyEyeballs eyeballs) {
    this.binary = binary;
    this.timeout = timeout;
    this.eyeballs = eyeballs;
  }

  /**
   * The arguments with each daemon source's host name replaced by its address that answered.
   *
   * @throws IOException naming every address tried, when none answered
   */
  List<String> pinned(List<String> args) throws IOException {
    List<String> out = new ArrayList<>(args.size());
    for (String a : args) {
      Optional<RsyncSource> src = RsyncSource.parse(a);
      if (src.isEmpty() || HappyEyeballs.literal(src.get().host())) {
        out.add(a);
        continue;
      }
      RsyncSource s = src.get();
      String key = s.host() + " " + s.port();
      Pin pin = pins.get(key);
      if (pin == null || System.nanoTime() - pin.atNanos() > PIN_FOR.toNanos()) {
        ConnectedChannel c =
            eyeballs.connect(
                s.host(),
                s.port(),
                Duration.ofSeconds(Math.max(1, Math.min(30, timeout.toSeconds()))));
        c.channel().close();
        String address = Addresses.text(c.address().getAddress());
        if (pin == null || !pin.address().equals(address)) {
          LOG.info(
              "rsync {}:{}: {} answered{}",
              s.host(),
              s.port(),
              HappyEyeballs.text(c.address()),
              c.failed().isEmpty() ? "" : " (" + c.failed() + ")");
        }
        pin = new Pin(address, System.nanoTime());
        pins.put(key, pin);
      }
      out.add(s.url(pin.address()));
    }
    return out;
  }

  /** Forgets the pinned addresses of a run's sources: it could not reach them. */
  private void unpin(List<String> args, int exitCode) {
    if (exitCode == 5 || exitCode == 10 || exitCode == 12 || exitCode == 30 || exitCode == 35) {
      for (String a : args) {
        RsyncSource.parse(a).ifPresent(s -> pins.remove(s.host() + " " + s.port()));
      }
    }
  }

  /** Runs rsync with {@code args}; itemized lines ({@code %i %n}) tell which files arrived. */
  RsyncRun run(List<String> args) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    List<String> cmd = new ArrayList<>();
    cmd.add(binary);
    cmd.add("--itemize-changes");
    cmd.add("--out-format=%i %n");
    cmd.add("--timeout=" + Math.max(1, timeout.toSeconds()));
    try {
      cmd.addAll(pinned(args));
    } catch (IOException e) {
      return new RsyncRun(
          10,
          List.of(),
          List.of(),
          List.of(e.getMessage()),
          Duration.ofNanos(System.nanoTime() - t0));
    }
    List<String> received = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    List<String> tail = new ArrayList<>();
    // No limit on the whole run (a first copy of an archive takes hours): --timeout ends a stall.
    ProcessEnding end =
        ProcessLines.run(
            cmd,
            java.util.Optional.empty(),
            line -> {
              if (line.length() > 12
                  && line.charAt(0) == '>'
                  && line.charAt(1) == 'f'
                  && line.charAt(11) == ' ') {
                received.add(line.substring(12));
              } else if (line.startsWith("*deleting ")) {
                deleted.add(line.substring("*deleting ".length()).trim());
              } else if (!line.isBlank() && !isItemized(line)) {
                tail.add(line);
                if (tail.size() > 5) {
                  tail.remove(0);
                }
              }
            });
    if (end.orphansKilled()) {
      LOG.warn("rsync ended while a process it forked lived on; that process was killed");
      tail.add("rsync ended while a process it forked lived on; that process was killed");
    }
    unpin(args, end.exitCode());
    return new RsyncRun(
        end.exitCode(), received, deleted, tail, Duration.ofNanos(System.nanoTime() - t0));
  }

  /** The names at the top of an rsync source ({@code --list-only}), or an error result. */
  List<String> listTop(String source) throws IOException, InterruptedException {
    String pinnedSource = pinned(List.of(source)).get(0);
    List<String> names = new ArrayList<>();
    List<String> all = new ArrayList<>();
    ProcessEnding end =
        ProcessLines.run(
            List.of(
                binary,
                "--list-only",
                "--timeout=" + Math.max(1, timeout.toSeconds()),
                pinnedSource),
            java.util.Optional.empty(),
            line -> {
              all.add(line);
              // "drwxr-xr-x          4,096 2026/01/01 00:00:00 dists"
              String[] f = line.trim().split("\\s+", 5);
              if (f.length == 5 && f[0].length() == 10) {
                names.add(f[4]);
              }
            });
    if (end.exitCode() != 0) {
      throw new IOException(
          "rsync --list-only "
              + source
              + " exited "
              + end.exitCode()
              + " ("
              + RsyncRun.meaning(end.exitCode())
              + "): "
              + String.join(" | ", all.subList(Math.max(0, all.size() - 3), all.size())));
    }
    return names;
  }

  private static boolean isItemized(String line) {
    return line.length() > 12 && line.charAt(11) == ' ' && "<>ch.*".indexOf(line.charAt(0)) >= 0;
  }
}
