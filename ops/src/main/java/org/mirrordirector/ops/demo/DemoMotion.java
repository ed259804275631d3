package org.mirrordirector.ops.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mirrordirector.ops.common.Daemons;
import org.mirrordirector.ops.common.Trees;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;

/**
 * The demo's upstream publishing new versions, and two public mirrors that follow it the way real
 * ones do ({@code mirrorctl demo --publish-every}): every {@code every}, a new signed version of
 * the archive is generated and swapped in atomically behind the upstream's rsync module; then the
 * <b>pushed</b> mirror copies it with ftpsync's two stages (lock file, pool first, then everything
 * with delayed deletes, then its trace file), {@code pushedDelay} after the publication, usually
 * before the director's own node has synced; and the <b>naive</b> mirror runs a one-stage {@code
 * rsync -a --delete}, {@code naiveDelay} after it, which transfers {@code dists/} before {@code
 * pool/} (name order): for a while it serves the new InRelease with the old pool. Each delay is
 * stretched by a random factor from 0.5 to 1.5 (seeded) at every publication.
 */
public final class DemoMotion implements AutoCloseable {

  private final Path dir;
  private final Path live;
  private final Path nodesLive;
  private final MirrorCopies copies;
  private final Map<String, Path> mirrors;
  // More mirrors that copy each version with ftpsync's two stages, each after its own delay.
  private final Map<String, Duration> followers = new java.util.LinkedHashMap<>();
  // Mirrors whose copies are held (a lagging or broken mirror): a held copy is skipped.
  private final java.util.Set<String> held = ConcurrentHashMap.newKeySet();
  private final MotionSettings settings;
  private final PrintWriter log;
  private final Random random;
  private final ScheduledExecutorService publisher;
  private final Map<String, ScheduledExecutorService> syncers = new ConcurrentHashMap<>();
  private final List<Publication> published = new CopyOnWriteArrayList<>();
  private final Map<String, List<Instant[]>> syncs = new ConcurrentHashMap<>();
  private final AtomicInteger version = new AtomicInteger(2);

  /**
   * @param live the symlink that the upstream's rsync module serves; swapped at each publication
   * @param mirrors "pushed" and "naive" to their trees
   */
  public DemoMotion(
      Path dir,
      Path live,
      Path nodesLive,
      String upstreamUrl,
      Map<String, Path> mirrors,
      MotionSettings settings,
      PrintWriter log) {
    this.dir = dir;
    this.live = live;
    this.nodesLive = nodesLive;
    this.copies = new MirrorCopies(upstreamUrl, settings.pushedKBps());
    this.mirrors = new ConcurrentHashMap<>(mirrors);
    this.settings = settings;
    this.log = log;
    this.random = new Random(settings.seed());
    this.publisher =
        Executors.newSingleThreadScheduledExecutor(r -> Daemons.daemon(r, "demo-publisher"));
    for (String m : mirrors.keySet()) {
      syncers.put(
          m, Executors.newSingleThreadScheduledExecutor(r -> Daemons.daemon(r, "demo-" + m)));
      syncs.put(m, new CopyOnWriteArrayList<>());
    }
  }

  /**
   * Makes the links point at a first version holding {@code initial}'s tree (hard links): {@code
   * live} is what the mirrors copy, {@code nodesLive} what the nodes do.
   */
  public static void prepare(Path dir, Path initial, Path live, Path nodesLive)
      throws IOException, InterruptedException {
    Path v = dir.resolve("versions/v2");
    if (!Files.isDirectory(v)) {
      Files.createDirectories(v.getParent());
      MirrorCopies.run(List.of("cp", "-al", initial.toString(), v.toString()));
    }
    swap(live, v);
    swap(nodesLive, v);
  }

  public void start() {
    publisher.scheduleWithFixedDelay(
        () -> {
          try {
            publish();
          } catch (Exception e) {
            log("publication failed: " + e);
          }
        },
        settings.every().toMillis(),
        settings.every().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** No more publications; one under way ends first. */
  public void stopPublishing() throws InterruptedException {
    publisher.shutdown();
    publisher.awaitTermination(2, TimeUnit.MINUTES);
  }

  /** Generates the next version beside the current one and swaps it in. */
  public void publish() throws IOException, InterruptedException {
    publish(prepare(Instant.now()));
  }

  /**
   * Generates the next version, dated {@code date} (its Release's Date), beside the current one;
   * {@link #publish(PreparedVersion)} swaps it in. A test that needs a publication at a given
   * moment prepares it first: generating takes from seconds to a minute, with the machine's load.
   */
  public PreparedVersion prepare(Instant date) throws IOException, InterruptedException {
    int n = version.incrementAndGet();
    Path prev = live.toRealPath();
    Path next = dir.resolve("versions/v" + n);
    MirrorCopies.run(List.of("cp", "-al", prev.toString(), next.toString()));
    ArchiveGenerator.generate(
        DemoArchive.options(next, 0, 1000L + n, false)
            .withSources(settings.sources())
            .withUpdateFrom(next, settings.changePercent())
            .withDate(date));
    return new PreparedVersion(n, next);
  }

  /** Swaps a prepared version in: the upstream publishes it, the mirrors follow. */
  public void publish(PreparedVersion prepared) throws IOException {
    int n = prepared.version();
    Path next = prepared.tree();
    swap(live, next);
    if (settings.node() != NodeSpeed.STUCK) {
      swap(nodesLive, next);
    }
    String sha =
        org.mirrordirector.sync.archive.Sha256.hex(
            Files.readAllBytes(next.resolve("dists/bookworm/InRelease")));
    Publication p = new Publication(n, Instant.now(), sha);
    published.add(p);
    log("published version " + n + " (" + sha.substring(0, 12) + ")");
    Sync naive =
        new Sync() {
          @Override
          public void before() throws InterruptedException {
            awaitNaiveGate(p);
          }

          @Override
          public void run(Path tree) throws IOException, InterruptedException {
            copies.oneStage(tree);
          }
        };
    if (settings.naiveFollowsPushed()) {
      schedule(
          "pushed",
          settings.pushedDelay(),
          tree -> {
            copies.twoStage(tree);
            schedule("naive", settings.naiveDelay(), naive);
          });
    } else {
      schedule("pushed", settings.pushedDelay(), copies::twoStage);
      schedule("naive", settings.naiveDelay(), naive);
    }
    synchronized (followers) {
      followers.forEach((m, delay) -> schedule(m, delay, copies::twoStage));
    }
    // Versions older than the last few are no longer served by anyone: free their space.
    Path old = dir.resolve("versions/v" + (n - 4));
    if (n - 4 > 2 && Files.isDirectory(old)) {
      Trees.deleteTree(old);
    }
  }

  /**
   * Holds each copy of the naive mirror, after its delay, until {@code known} says the director
   * knows that publication (at most two minutes; then it copies anyway and says so). A scenario
   * that must stay within the README's bound for mirrors that delete without a lock uses it: such a
   * mirror is safe only once the director has learned the version it moves to, and how soon that is
   * depends on the machine.
   */
  public void holdNaiveUntil(java.util.function.Predicate<Publication> known) {
    naiveGate = known;
  }

  private volatile java.util.function.Predicate<Publication> naiveGate = p -> true;

  private void awaitNaiveGate(Publication p) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!naiveGate.test(p)) {
      if (System.nanoTime() > deadline) {
        log("naive mirror: version " + p.version() + " still unknown to the director; copying");
        return;
      }
      Thread.sleep(100);
    }
  }

  private interface Sync {
    /** What must hold before the copy starts (not counted in its time). */
    public default void before() throws InterruptedException {}

    public void run(Path tree) throws IOException, InterruptedException;
  }

  private void schedule(String mirror, Duration delay, Sync how) {
    Path tree = mirrors.get(mirror);
    if (tree == null) {
      return;
    }
    long ms = (long) (delay.toMillis() * (0.75 + random.nextDouble() / 2));
    syncers
        .get(mirror)
        .schedule(
            () -> {
              copy(mirror, tree, how, 0);
            },
            ms,
            TimeUnit.MILLISECONDS);
  }

  /**
   * One copy; a failed one (the upstream down) is tried again every 5 s for a minute, as a mirror's
   * next cron run would, unless the mirror is held meanwhile.
   */
  private void copy(String mirror, Path tree, Sync how, int attempt) {
    if (held.contains(mirror)) {
      return;
    }
    try {
      how.before();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Instant t0 = Instant.now();
    try {
      how.run(tree);
      syncs.get(mirror).add(new Instant[] {t0, Instant.now()});
    } catch (Exception e) {
      if (attempt < 12 && !syncers.get(mirror).isShutdown()) {
        syncers
            .get(mirror)
            .schedule(() -> copy(mirror, tree, how, attempt + 1), 5, TimeUnit.SECONDS);
      } else {
        log(mirror + " mirror sync failed: " + e);
      }
    }
  }

  /**
   * One more mirror that copies every version with ftpsync's two stages, {@code delay} after the
   * publication (stretched as the others' are).
   */
  public void follow(String mirror, Path tree, Duration delay) {
    synchronized (followers) {
      mirrors.put(mirror, tree);
      syncs.putIfAbsent(mirror, new CopyOnWriteArrayList<>());
      syncers.computeIfAbsent(
          mirror,
          m -> Executors.newSingleThreadScheduledExecutor(r -> Daemons.daemon(r, "demo-" + m)));
      followers.put(mirror, delay);
    }
  }

  /** The mirrors that follow the upstream. */
  public java.util.Set<String> following() {
    return java.util.Set.copyOf(mirrors.keySet());
  }

  /** A mirror stops copying new versions (its copies are skipped) until {@link #release}. */
  public void hold(String mirror) {
    require(mirror);
    held.add(mirror);
  }

  /**
   * A mirror's copy that dies after {@code dists/} (a one-stage {@code rsync --delete} in name
   * order, killed before {@code pool/}): the upstream's newest indexes over the mirror's old pool,
   * no lock left behind; its copies are held until {@link #release}.
   */
  public void breakCopy(String mirror) throws Exception {
    Path tree = require(mirror);
    held.add(mirror);
    try {
      syncers
          .get(mirror)
          .submit(
              () -> {
                // The upstream may be down (another fault): the copy waits for it, 2 minutes at
                // most.
                for (int attempt = 0; ; attempt++) {
                  try {
                    copies.distsOnly(tree);
                    return null;
                  } catch (IOException e) {
                    if (attempt >= 60) {
                      throw e;
                    }
                    Thread.sleep(2000);
                  }
                }
              })
          .get(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      held.remove(mirror); // not broken after all: it follows again
      throw e;
    }
  }

  /** Ends a hold: the mirror copies the newest version at once, the way it always copies. */
  public void release(String mirror) throws Exception {
    Path tree = require(mirror);
    held.remove(mirror);
    Sync how = mirror.equals("naive") ? copies::oneStage : copies::twoStage;
    syncers.get(mirror).submit(() -> copy(mirror, tree, how, 0)).get(5, TimeUnit.MINUTES);
  }

  private Path require(String mirror) {
    Path tree = mirrors.get(mirror);
    if (tree == null) {
      throw new IllegalArgumentException("mirror '" + mirror + "' does not follow the upstream");
    }
    return tree;
  }

  public MotionSettings settings() {
    return settings;
  }

  public List<Publication> published() {
    return List.copyOf(published);
  }

  /** When each of a mirror's syncs started and ended. */
  public List<Instant[]> syncs(String mirror) {
    return List.copyOf(syncs.getOrDefault(mirror, List.of()));
  }

  public static void swap(Path link, Path target) throws IOException {
    Path tmp = link.resolveSibling("." + link.getFileName() + ".new");
    Files.deleteIfExists(tmp);
    Files.createSymbolicLink(tmp, target.toAbsolutePath());
    Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private void log(String s) {
    synchronized (log) {
      log.println("demo: " + s);
      log.flush();
    }
  }

  @Override
  public void close() {
    publisher.shutdownNow();
    List<ScheduledExecutorService> all;
    synchronized (followers) {
      all = new ArrayList<>(syncers.values());
    }
    for (ScheduledExecutorService s : all) {
      s.shutdownNow();
    }
    try {
      publisher.awaitTermination(30, TimeUnit.SECONDS);
      for (ScheduledExecutorService s : all) {
        s.awaitTermination(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
