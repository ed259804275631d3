package org.mirrordirector.ops.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mirrordirector.director.ClientLocation;
import org.mirrordirector.director.FileKnowledge;
import org.mirrordirector.director.GeoIp;
import org.mirrordirector.director.MirrorSelection;
import org.mirrordirector.director.MirrorSelector;
import org.mirrordirector.director.RejectedPath;
import org.mirrordirector.director.RequestPath;
import org.mirrordirector.director.SelectionPolicy;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.sync.archive.SnapshotId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Selection cost per request (JMH): the same fleet, file knowledge and request mix as {@link
 * DirectorBench}. {@code select} is the choice alone for a located client, as a redirect makes it;
 * {@code explain} the same with every mirror's reason; {@code locate} the GeoIP lookup alone;
 * {@code request} what the redirector does per request before writing the answer: classify the
 * path, locate the client, select.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SelectionBench {
  @Param("")
  public String trees;

  @Param("")
  public String mmdb;

  @Param("200")
  public int mirrors;

  private GeoIp geo;
  private FileKnowledge files;
  private ClusterView view;
  private MirrorSelector selector;
  private String[] rawPaths;
  private RequestPath[] paths;
  private String[] addresses;
  private ClientLocation[] clients;
  private int i;

  /** The next index: never negative, however many billions of calls a fast benchmark makes. */
  private int next() {
    return i++ & Integer.MAX_VALUE;
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    List<Path> ts = Arrays.stream(trees.split(":")).map(Path::of).toList();
    files = FileKnowledge.load(ts, List.of("bookworm"));
    List<String> ids = new ArrayList<>();
    for (Path t : ts) {
      ids.add(
          SnapshotId.ofInRelease(Files.readAllBytes(t.resolve("dists/bookworm/InRelease")))
              .sha256());
    }
    view = DirectorBench.fleet(ids, mirrors, System.currentTimeMillis());
    selector = new MirrorSelector(SelectionPolicy.defaults());
    geo = GeoIp.open(List.of(Path.of(mmdb)));
    Path out = Files.createTempDirectory("selection-bench");
    DirectorBench.writeWrkInputs(ts.get(ts.size() - 1), files, out);
    rawPaths = Files.readAllLines(out.resolve("paths.txt")).toArray(String[]::new);
    addresses = Files.readAllLines(out.resolve("clients.txt")).toArray(String[]::new);
    paths = new RequestPath[rawPaths.length];
    for (int k = 0; k < rawPaths.length; k++) {
      paths[k] = RequestPath.classify(rawPaths[k], List.of("/raspbian/"));
    }
    clients = DirectorBench.locate(geo, Arrays.asList(addresses));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    geo.close();
  }

  @Benchmark
  public MirrorSelection select() {
    int k = next();
    return selector.select(
        paths[k % paths.length],
        "http",
        clients[k % clients.length],
        view,
        files,
        System.currentTimeMillis(),
        false);
  }

  /** The same with every mirror looked at and its reason put into words, as for ?explain. */
  @Benchmark
  public MirrorSelection explain() {
    int k = next();
    return selector.select(
        paths[k % paths.length],
        "http",
        clients[k % clients.length],
        view,
        files,
        System.currentTimeMillis(),
        true);
  }

  /** Classify and select, for a located client. */
  @Benchmark
  public MirrorSelection classifyAndSelect() throws RejectedPath {
    int k = next();
    RequestPath p = RequestPath.classify(rawPaths[k % rawPaths.length], List.of("/raspbian/"));
    return selector.select(
        p, "http", clients[k % clients.length], view, files, System.currentTimeMillis(), false);
  }

  /** The location of an address seen recently: from the cache. */
  @Benchmark
  public ClientLocation locateRecent() {
    return geo.apply(addresses[next() % addresses.length]);
  }

  /** Classification of the raw path alone. */
  @Benchmark
  public RequestPath classify() throws RejectedPath {
    return RequestPath.classify(rawPaths[next() % rawPaths.length], List.of("/raspbian/"));
  }

  /** A lookup in the database, as for an address not seen recently. */
  @Benchmark
  public ClientLocation locate() {
    return geo.lookup(addresses[next() % addresses.length]);
  }

  @Benchmark
  public MirrorSelection request() throws RejectedPath {
    int k = next();
    RequestPath p = RequestPath.classify(rawPaths[k % rawPaths.length], List.of("/raspbian/"));
    return selector.select(
        p,
        "http",
        geo.apply(addresses[k % addresses.length]),
        view,
        files,
        System.currentTimeMillis(),
        false);
  }
}
