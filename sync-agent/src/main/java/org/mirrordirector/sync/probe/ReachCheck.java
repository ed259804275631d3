package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quick check: is each mirror still there? One kept-alive connection per mirror, watched by one
 * selector thread, and a check on it each {@link ReachSettings#interval}: a GET of the first 4 KiB
 * of the mirror's InRelease (a Range), so that a mirror whose transfers stall after the headers is
 * seen as well as one that does not answer. A mirror that closes or resets that connection is
 * connected to again at once, so a mirror that stopped (its server closes its connections, then
 * refuses new ones) or was killed (the kernel closes or resets them) is seen within milliseconds,
 * not at the next check; a paused one (the kernel still accepts, no one answers) is seen when a
 * check goes unanswered for the mirror's timeout. A 5xx answer counts as not answering. Mirrors
 * served over https only are checked with the same GET, blocking, through {@link TlsCheck} on a
 * worker, once per interval each: they are seen at the next check, not at once.
 *
 * <p>Connections are made on workers through {@link HappyEyeballs} (every address, NAT64), then
 * handed to the selector thread. Nothing here writes anywhere: it tells its {@link ReachListener}.
 */
public final class ReachCheck implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReachCheck.class);
  private static final int MAX_QUICK_RECONNECTS = 3;

  private final ReachSettings settings;
  private final HappyEyeballs eyeballs;
  private final TlsCheck tls;
  private final ReachListener listener;
  private final Selector selector;
  private final ExecutorService workers;
  private final Thread loop;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Map<String, ReachTarget> targets = new HashMap<>(); // loop thread only
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong connects = new AtomicLong();
  private volatile boolean closed;
  private long nextScan;

  /**
   * @param tls how https-only mirrors are checked, or null to leave them unchecked
   * @param workers threads that connect and run the https checks
   */
  public ReachCheck(
      ReachSettings settings,
      HappyEyeballs eyeballs,
      TlsCheck tls,
      ReachListener listener,
      int workers,
      String name)
      throws IOException {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.eyeballs = Objects.requireNonNull(eyeballs, "eyeballs");
    this.tls = tls;
    this.listener = Objects.requireNonNull(listener, "listener");
    this.selector = Selector.open();
    AtomicLong n = new AtomicLong();
    this.workers =
        Executors.newFixedThreadPool(
            workers,
            r -> {
              Thread t = new Thread(r, name + "-connect-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.loop = new Thread(this::run, name);
    loop.setDaemon(true);
    loop.start();
  }

  /**
   * The mirrors to check, each with the URL its check asks for: any other is forgotten and its
   * connection closed. A mirror whose URL changed starts again.
   */
  public void watch(Map<String, URI> urls) {
    Map<String, URI> copy = Map.copyOf(urls);
    post(
        () -> {
          for (Iterator<ReachTarget> it = targets.values().iterator(); it.hasNext(); ) {
            ReachTarget t = it.next();
            if (!t.url.equals(copy.get(t.mirror))) {
              forget(t);
              it.remove();
            }
          }
          long now = System.nanoTime();
          for (Map.Entry<String, URI> e : copy.entrySet()) {
            if (!targets.containsKey(e.getKey())) {
              ReachTarget t = new ReachTarget(e.getKey(), e.getValue());
              // Spread over the interval: a thousand mirrors are not checked in one burst.
              t.nextCheck =
                  now + ThreadLocalRandom.current().nextLong(settings.interval().toNanos());
              targets.put(t.mirror, t);
              if (!t.tls) {
                connect(t, false); // the connection is there before the first check
              }
            }
          }
          nextScan = now;
        });
  }

  /** Checks sent so far (https ones included). */
  public long requests() {
    return requests.get();
  }

  /** Connections opened so far (attempts, those that failed included). */
  public long connects() {
    return connects.get();
  }

  public ReachSettings settings() {
    return settings;
  }

  private void post(Runnable r) {
    tasks.add(r);
    selector.wakeup();
  }

  private void run() {
    while (!closed) {
      try {
        for (Runnable r; (r = tasks.poll()) != null; ) {
          r.run();
        }
        long now = System.nanoTime();
        if (now - nextScan >= 0) {
          nextScan = scan(now);
        }
        long waitMs = Math.max(1, (nextScan - System.nanoTime() + 999_999) / 1_000_000);
        selector.select(waitMs);
        for (SelectionKey k : selector.selectedKeys()) {
          ReachTarget t = (ReachTarget) k.attachment();
          if (k.isValid() && k.isWritable()) {
            write(t);
          }
          if (k.isValid() && k.isReadable()) {
            read(t);
          }
        }
        selector.selectedKeys().clear();
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          LOG.error("reach check loop", e);
        }
      }
    }
  }

  /** Times out what waited too long, starts the checks that are due; returns the next due time. */
  private long scan(long now) {
    long next = now + settings.interval().toNanos();
    for (ReachTarget t : targets.values()) {
      if (t.waiting && now - t.deadline >= 0) {
        String why = t.unanswered((t.deadline - t.sentAt) / 1_000_000);
        t.waiting = false;
        t.generation++;
        closeChannel(t); // its answer, if it ever comes, would be taken for the next one's
        lost(t, why);
      }
      if (!t.waiting && !t.connecting && now - t.nextCheck >= 0) {
        t.nextCheck = now + settings.interval().toNanos();
        t.quickReconnects = 0; // a server that ends idle connections costs 3 checks more at most
        check(t, false);
      }
      if (!t.connecting) { // a connect's end rescans
        next = Math.min(next, t.waiting ? t.deadline : t.nextCheck);
      }
    }
    return next;
  }

  private void check(ReachTarget t, boolean retry) {
    t.retried = retry;
    if (t.tls) {
      checkTls(t);
    } else if (t.channel == null) {
      connect(t, true);
    } else {
      send(t);
    }
  }

  private void send(ReachTarget t) {
    long now = System.nanoTime();
    t.out = ByteBuffer.wrap(t.request);
    t.in.clear();
    t.waiting = true;
    t.sentAt = now;
    t.deadline = now + t.timeoutNanos(settings);
    nextScan = Math.min(nextScan, t.deadline);
    requests.incrementAndGet();
    write(t);
  }

  private void write(ReachTarget t) {
    try {
      t.channel.write(t.out);
      t.key.interestOps(
          t.out.hasRemaining()
              ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
              : SelectionKey.OP_READ);
    } catch (IOException e) {
      broken(t, ReachFailure.describe(e));
    }
  }

  private void read(ReachTarget t) {
    int n;
    try {
      n = t.channel.read(t.in);
    } catch (IOException e) {
      broken(t, ReachFailure.describe(e));
      return;
    }
    if (n < 0) {
      broken(t, "closed the connection");
      return;
    }
    if (!t.waiting) {
      closeChannel(t); // bytes no check asked for: start clean at the next check
      return;
    }
    ReachAnswer a = t.answer();
    if (a == null) {
      return;
    }
    t.waiting = false;
    if (!a.keep()) {
      closeChannel(t);
    }
    if (a.status() == 0) {
      lost(t, a.problem());
    } else if (a.status() >= 500) {
      lost(t, "answers HTTP " + a.status());
    } else {
      t.answeredIn(System.nanoTime() - t.sentAt);
      listener.answered(t.mirror);
    }
  }

  /**
   * The connection ended, by the mirror's close or reset. During a check and before any byte of its
   * answer, the check is sent once more on a new connection (a server may end an idle one just as a
   * request arrives), and only a second such end is the mirror's; between checks the mirror is
   * connected to and checked again at once.
   */
  private void broken(ReachTarget t, String what) {
    LOG.debug("{}: {} (checking: {}, retried: {})", t.mirror, what, t.waiting, t.retried);
    boolean during = t.waiting;
    boolean nothingYet = t.in.position() == 0;
    closeChannel(t);
    t.waiting = false;
    if (during && (t.retried || !nothingYet)) {
      lost(t, what);
      return;
    }
    if (!during && ++t.quickReconnects > MAX_QUICK_RECONNECTS) {
      return; // a mirror that keeps closing idle connections: the next check will tell
    }
    t.retried = during;
    // With a check at once, not only a connect: a server on its way down may close its connections
    // before its listening socket, and a connection that the kernel completes then is never
    // answered; the check sees that within its wait, not at the next check.
    connect(t, true, what);
  }

  private void connect(ReachTarget t, boolean thenCheck) {
    connect(t, thenCheck, null);
  }

  /** Connects on a worker; {@code after} names the event that led here, for the reason. */
  private void connect(ReachTarget t, boolean thenCheck, String after) {
    t.connecting = true;
    t.checkOnConnect = thenCheck;
    int gen = ++t.generation;
    // The first connection, made ahead of any check, may wait as long as a probe: a thousand
    // mirrors added at once are a burst of connections, and none of them is a check yet.
    Duration timeout =
        Duration.ofNanos(
            thenCheck || after != null
                ? t.timeoutNanos(settings)
                : settings.maxTimeout().toNanos());
    connects.incrementAndGet();
    try {
      workers.execute(
          () -> {
            try {
              SocketChannel ch = eyeballs.connect(t.host, t.port, timeout).channel();
              post(() -> connected(t, gen, ch));
            } catch (IOException | RuntimeException e) {
              String why = ReachFailure.describe(e);
              post(() -> connectFailed(t, gen, after == null ? why : after + ", then " + why));
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      t.connecting = false;
    }
  }

  private void connected(ReachTarget t, int gen, SocketChannel ch) {
    LOG.debug("{}: connected ({} of {}): {}", t.mirror, gen, t.generation, ch);
    if (gen != t.generation || targets.get(t.mirror) != t || closed) {
      closeQuietly(ch);
      return;
    }
    t.connecting = false;
    nextScan = Math.min(nextScan, t.nextCheck);
    try {
      ch.configureBlocking(false);
      ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
      t.key = ch.register(selector, SelectionKey.OP_READ, t);
      t.channel = ch;
    } catch (IOException e) {
      closeQuietly(ch);
      lost(t, ReachFailure.describe(e));
      return;
    }
    if (t.checkOnConnect) {
      send(t);
    }
  }

  private void connectFailed(ReachTarget t, int gen, String why) {
    LOG.debug("{}: not connected ({} of {}): {}", t.mirror, gen, t.generation, why);
    if (gen != t.generation || targets.get(t.mirror) != t) {
      return;
    }
    t.connecting = false;
    nextScan = Math.min(nextScan, t.nextCheck);
    lost(t, why);
  }

  private void checkTls(ReachTarget t) {
    if (tls == null || t.tlsInFlight) {
      return;
    }
    long now = System.nanoTime();
    int gen = ++t.generation;
    t.tlsInFlight = true;
    t.waiting = true;
    t.sentAt = now;
    t.deadline = now + t.timeoutNanos(settings);
    requests.incrementAndGet();
    try {
      workers.execute(
          () -> {
            int status;
            String why = null;
            try {
              status = tls.status(t.url);
            } catch (IOException | RuntimeException e) {
              status = -1;
              why = ReachFailure.describe(e);
            }
            int s = status;
            String w = why;
            post(() -> tlsDone(t, gen, s, w));
          });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      t.tlsInFlight = false;
      t.waiting = false;
    }
  }

  private void tlsDone(ReachTarget t, int gen, int status, String why) {
    t.tlsInFlight = false;
    if (gen != t.generation || targets.get(t.mirror) != t) {
      return; // timed out already (and said so), or forgotten
    }
    t.waiting = false;
    if (status < 0) {
      lost(t, why);
    } else if (status >= 500) {
      lost(t, "answers HTTP " + status);
    } else {
      t.answeredIn(System.nanoTime() - t.sentAt);
      listener.answered(t.mirror);
    }
  }

  private void lost(ReachTarget t, String reason) {
    LOG.debug("{}: lost: {}", t.mirror, reason);
    try {
      listener.lost(t.mirror, reason);
    } catch (RuntimeException e) {
      LOG.warn("a reach listener failed", e);
    }
  }

  private void forget(ReachTarget t) {
    t.generation++;
    closeChannel(t);
  }

  private static void closeChannel(ReachTarget t) {
    if (t.key != null) {
      t.key.cancel();
      t.key = null;
    }
    if (t.channel != null) {
      closeQuietly(t.channel);
      t.channel = null;
    }
    t.in.clear();
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() {
    closed = true;
    workers.shutdownNow();
    selector.wakeup();
    try {
      loop.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ReachTarget t : targets.values()) {
      closeChannel(t);
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
