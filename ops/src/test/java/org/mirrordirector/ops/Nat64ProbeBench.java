package org.mirrordirector.ops;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mirrordirector.failover.FamilyState;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.mirrordirector.failover.net.Nat64;
import org.mirrordirector.ops.hosting.HostingNetwork;
import org.mirrordirector.ops.hosting.HostingResult;
import org.mirrordirector.ops.hosting.HostingScenario;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.SnapshotStore;
import org.mirrordirector.sync.SyncAgent;
import org.mirrordirector.sync.SyncConfig;
import org.mirrordirector.sync.archive.Sha1Policy;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;
import org.mirrordirector.sync.probe.KnownSnapshots;
import org.mirrordirector.sync.probe.LocalSnapshots;
import org.mirrordirector.sync.probe.MirrorProber;
import org.mirrordirector.sync.probe.Observation;
import org.mirrordirector.sync.probe.ProbeConfig;

/**
 * The NAT64 probe figures of BENCHMARKS.md (issue 26), root only: the hosting's network in
 * namespaces ({@link HostingNetwork}), one nginx in the internet serving the archive under many
 * names, and probe rounds (the probe of each mirror, then its address families) run by a prober in
 * the IPv6-only backend and by one in the dual-stack internet.
 *
 * <p>The mirror sets, {@code MIRRORS} names each:
 *
 * <ul>
 *   <li>{@code half}: half the names IPv6-only (2001:db8:1::20), half IPv4-only (192.0.2.20; from
 *       the backend only through NAT64, with DNS64's answer);
 *   <li>{@code refused}: each name's IPv6 address refuses (2001:db8:1::21), its IPv4 answers;
 *   <li>{@code blackholed}: each name's IPv6 address drops every packet (a blackhole route on the
 *       gateway), its IPv4 answers.
 * </ul>
 *
 * <p>Arguments: work directory, mirrors, parallelism, rounds. The script runs it: {@code
 * ops/bench/nat64-probe-bench.sh}.
 */
public final class Nat64ProbeBench {
  private Nat64ProbeBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("probe")) {
      probe(args);
      return;
    }
    Path work = Files.createDirectories(Path.of(args[0]));
    int mirrors = Integer.parseInt(args[1]);
    String parallelism = args[2];
    String rounds = args[3];
    java.util.Optional<String> why = HostingNetwork.unavailable();
    if (why.isPresent()) {
      System.err.println("nat64-probe-bench: " + why.get());
      System.exit(2);
    }
    Path dir = Files.createTempDirectory(work, "nat64");
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 200, 5));
    Path store = dir.resolve("node");
    try (RsyncDaemon d = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root)) {
      new SyncAgent(SyncConfig.of(d.url(), store, List.of("bookworm"), "bench"), upstream.keys())
          .runOnce();
    }
    try (HostingNetwork net =
        HostingNetwork.create(
            dir.resolve("net"),
            List.of("192.0.2.20"),
            List.of("2001:db8:1::20", "2001:db8:1::21"))) {
      HostingResult bh =
          net.exec(
              net.gateway,
              Duration.ofSeconds(10),
              "ip",
              "-6",
              "route",
              "add",
              "blackhole",
              "2001:db8:1::99/128");
      if (!bh.ok()) {
        throw new IllegalStateException("blackhole route: " + bh.output());
      }
      Path nginx = Files.createDirectories(dir.resolve("nginx/tmp")).getParent();
      HostingScenario.nginx(
          net,
          nginx,
          Nginx.conf(
                  nginx,
                  upstream.root,
                  "    listen 192.0.2.20:80;\n    listen [2001:db8:1::20]:80;\n",
                  "")
              .replace("worker_connections 256", "worker_connections 4096"),
          "192.0.2.20",
          80);

      StringBuilder backend = new StringBuilder("2001:db8:ff9b::c000:aa ipv4only.arpa\n");
      StringBuilder internet = new StringBuilder();
      for (int i = 0; i < mirrors; i++) {
        String half = "m" + i + ".half.test";
        if (i % 2 == 0) {
          backend.append("2001:db8:1::20 ").append(half).append('\n');
          internet.append("2001:db8:1::20 ").append(half).append('\n');
        } else {
          backend.append("2001:db8:ff9b::c000:214 ").append(half).append('\n');
          internet.append("192.0.2.20 ").append(half).append('\n');
        }
        for (String[] set :
            new String[][] {{"refused", "2001:db8:1::21"}, {"blackholed", "2001:db8:1::99"}}) {
          String name = "m" + i + "." + set[0] + ".test";
          backend.append(set[1]).append(' ').append(name).append('\n');
          backend.append("2001:db8:ff9b::c000:214 ").append(name).append('\n');
          internet.append(set[1]).append(' ').append(name).append('\n');
          internet.append("192.0.2.20 ").append(name).append('\n');
        }
      }
      net.backendHosts(backend.toString());
      net.internetHosts(internet.toString());
      System.out.printf(
          "%d mirrors per set, parallelism %s, probe timeout 3 s, stagger %d ms%n",
          mirrors, parallelism, HappyEyeballs.STAGGER.toMillis());
      for (String[] run :
          new String[][] {
            {"backend", "half"},
            {"internet", "half"},
            {"backend", "refused"},
            {"backend", "blackholed"}
          }) {
        String ns = run[0].equals("backend") ? net.backend : net.internet;
        List<String> cmd = new ArrayList<>();
        cmd.addAll(
            List.of(
                HostingScenario.java(
                    List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
                    Nat64ProbeBench.class.getName(),
                    "probe",
                    run[0].equals("backend")
                        ? "IPv6-only backend, NAT64"
                        : "dual-stack (the internet)",
                    run[1],
                    store.toString(),
                    upstream.keyring.toString(),
                    Integer.toString(mirrors),
                    parallelism,
                    rounds)));
        HostingResult r = net.exec(ns, Duration.ofMinutes(10), cmd.toArray(String[]::new));
        System.out.print(r.output());
        if (!r.ok()) {
          System.out.println("(exited " + r.exit() + ")");
        }
      }
    }
  }

  /** In a namespace: rounds of the prober over one set of mirrors, timed. */
  private static void probe(String[] args) throws Exception {
    String where = args[1];
    String set = args[2];
    SnapshotStore store = new SnapshotStore(Path.of(args[3]));
    TrustedKeys keys = TrustedKeys.load(Path.of(args[4]), List.of(), Sha1Policy.ALLOW_FOR_BINDINGS);
    int mirrors = Integer.parseInt(args[5]);
    int parallelism = Integer.parseInt(args[6]);
    int rounds = Integer.parseInt(args[7]);
    KnownSnapshots known = new LocalSnapshots(store, List.of("bookworm")).scan();
    Nat64 nat64 = Nat64.setting("auto", InetAddress::getAllByName).orElse(null);
    HappyEyeballs eyeballs =
        new HappyEyeballs(HappyEyeballs.STAGGER, InetAddress::getAllByName, nat64);
    List<MirrorConfig> configs = new ArrayList<>();
    for (int i = 0; i < mirrors; i++) {
      configs.add(
          new MirrorConfig(
              "m" + i,
              Map.of("http", "http://m" + i + "." + set + ".test/"),
              "GB",
              "EU",
              null,
              null,
              null,
              List.of(),
              100,
              List.of(),
              true,
              false));
    }
    try (MirrorProber p =
        new MirrorProber(
            ProbeConfig.defaults(List.of("bookworm"))
                .withParallelism(parallelism)
                .withTimeout(Duration.ofSeconds(3)),
            keys,
            Clock.systemUTC(),
            null,
            null,
            suite -> {},
            eyeballs)) {
      for (int r = 1; r <= rounds; r++) {
        long t0 = System.nanoTime();
        Map<String, Map<String, Map<String, Observation>>> all = p.probeAll(configs, known);
        double s = (System.nanoTime() - t0) / 1e9;
        long ok =
            all.values().stream()
                .filter(m -> m.get("http").get("bookworm").health() == Health.OK)
                .count();
        long t1 = System.nanoTime();
        Map<String, Map<String, FamilyState>> fam = p.families(configs);
        double fs = (System.nanoTime() - t1) / 1e9;
        long v4 = fam.values().stream().filter(f -> f.get("ipv4").works()).count();
        long v6 = fam.values().stream().filter(f -> f.get("ipv6").works()).count();
        System.out.printf(
            "%-26s %-10s round %d: probe %.2f s (%d OK), families %.2f s (IPv4 works %d, IPv6"
                + " %d)%n",
            where, set, r, s, ok, fs, v4, v6);
      }
    }
  }
}
