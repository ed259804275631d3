package org.mirrordirector.ops.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mirrordirector.ops.client.AptAttempt;
import org.mirrordirector.ops.client.AptClient;
import org.mirrordirector.sync.archive.Sha256;

/**
 * The soak's apt clients: real {@code apt-get}, each in its own private root, in a loop until
 * stopped: {@code update}; {@code download} of a few packages the lists it just fetched name;
 * {@code source --download-only} of one of them, where the sources have {@code deb-src}. Every
 * operation's outcome is kept, and each failure is told apart by what apt said: a Hash Sum
 * mismatch, a 404 from a mirror the director sent it to, an answer from the director itself, a
 * mirror that could not be reached.
 */
public final class SoakClients implements AutoCloseable {

  private static final Pattern IP_PORT = Pattern.compile("\\[IP: \\S+ (\\d+)\\]");
  private static final Pattern LOST =
      Pattern.compile("Connection failed|Connection reset|Connection timed out|timed out");
  private static final Pattern CONNECT =
      Pattern.compile(
          "(?:Could not connect to|Failed to connect to|connect to) \\[?([^\\]\\s]+?)\\]?:(\\d+)");

  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<ClientOperation> operations = new CopyOnWriteArrayList<>();
  private final Set<String> inReleases = ConcurrentHashMap.newKeySet();
  private final Set<Integer> directorPorts;

  /**
   * @param directorPorts the ports of the service address and of every node (an answer from one of
   *     them is the director's)
   */
  public SoakClients(
      Path dir,
      List<SoakClient> clients,
      String architecture,
      Set<Integer> directorPorts,
      long seed)
      throws IOException {
    this.directorPorts = Set.copyOf(directorPorts);
    for (int i = 0; i < clients.size(); i++) {
      SoakClient c = clients.get(i);
      AptClient apt = new AptClient(dir.resolve(c.name()), architecture);
      apt.sources(c.sources());
      Random random = new Random(seed + i);
      Thread t =
          new Thread(
              () -> {
                try {
                  loop(c.name(), apt, random, c.sources().contains("deb-src "));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (IOException e) {
                  long now = System.currentTimeMillis();
                  operations.add(
                      new ClientOperation(c.name(), "harness", now, now, false, e.toString()));
                }
              },
              "soak-" + c.name());
      t.setDaemon(true);
      threads.add(t);
    }
  }

  public SoakClients start() {
    threads.forEach(Thread::start);
    return this;
  }

  private void loop(String name, AptClient apt, Random random, boolean sources)
      throws IOException, InterruptedException {
    while (!stop.get()) {
      if (!run(name, "update", apt, "apt-get", "update")) {
        Thread.sleep(500);
        continue;
      }
      for (Path l : apt.inReleases()) {
        inReleases.add(Sha256.hex(Files.readAllBytes(l)));
      }
      AptAttempt names = apt.attempt("apt-cache", "pkgnames");
      List<String> pkgs = new ArrayList<>(List.of(names.output().strip().split("\n")));
      pkgs.removeIf(p -> p.isBlank() || !p.matches("[a-z0-9][a-z0-9.+-]*"));
      Collections.shuffle(pkgs, random);
      if (pkgs.isEmpty() || stop.get()) {
        continue;
      }
      List<String> args = new ArrayList<>();
      args.add("download");
      args.addAll(pkgs.subList(0, Math.min(3, pkgs.size())));
      run(name, "download", apt, "apt-get", args.toArray(String[]::new));
      if (sources && !stop.get()) {
        run(name, "source", apt, "apt-get", "source", "--download-only", pkgs.get(0));
      }
      apt.clean();
      Thread.sleep(random.nextInt(1000));
    }
  }

  private boolean run(String name, String kind, AptClient apt, String tool, String... args)
      throws IOException, InterruptedException {
    long t0 = System.currentTimeMillis();
    AptAttempt a = apt.attempt(tool, args);
    String out = a.ok() ? "" : String.join(" ", args) + "\n" + a.output();
    operations.add(new ClientOperation(name, kind, t0, System.currentTimeMillis(), a.ok(), out));
    return a.ok();
  }

  /** Why a failed operation failed, from apt's output. */
  public FailureCause cause(ClientOperation op) {
    return cause(op.output(), directorPorts);
  }

  public static FailureCause cause(String output, Set<Integer> directorPorts) {
    String o = output.toLowerCase(Locale.ROOT);
    if (o.contains("hash sum mismatch") || o.contains("file has unexpected size")) {
      return FailureCause.HASH_SUM_MISMATCH;
    }
    for (String line : output.split("\n")) {
      Matcher ip = IP_PORT.matcher(line);
      boolean fromDirector = ip.find() && directorPorts.contains(Integer.parseInt(ip.group(1)));
      if (line.contains(" 404 ") || line.contains("404  Not Found")) {
        return fromDirector ? FailureCause.DIRECTOR_ERROR : FailureCause.NOT_FOUND_AFTER_REDIRECT;
      }
      if (line.matches(".*\\s[45]\\d\\d\\s.*") && fromDirector) {
        return FailureCause.DIRECTOR_ERROR;
      }
      Matcher c = CONNECT.matcher(line);
      if (c.find() && !directorPorts.contains(Integer.parseInt(c.group(2)))) {
        return FailureCause.MIRROR_UNREACHABLE;
      }
      // A connection that the mirror reset or that went silent: apt names the mirror's address.
      if (LOST.matcher(line).find()
          && ip.reset().find()
          && !directorPorts.contains(Integer.parseInt(ip.group(1)))) {
        return FailureCause.MIRROR_UNREACHABLE;
      }
    }
    return FailureCause.OTHER;
  }

  /**
   * The port of the mirror apt could not reach (refused, reset or silent), or -1; {@code
   * directorPorts} are never it.
   */
  public static int unreachablePort(String output, Set<Integer> directorPorts) {
    for (String line : output.split("\n")) {
      Matcher c = CONNECT.matcher(line);
      if (c.find() && !directorPorts.contains(Integer.parseInt(c.group(2)))) {
        return Integer.parseInt(c.group(2));
      }
      Matcher ip = IP_PORT.matcher(line);
      if (LOST.matcher(line).find()
          && ip.find()
          && !directorPorts.contains(Integer.parseInt(ip.group(1)))) {
        return Integer.parseInt(ip.group(1));
      }
    }
    return -1;
  }

  /** The ports of the service address and the nodes: an answer from one is the director's. */
  public Set<Integer> directorPorts() {
    return directorPorts;
  }

  public List<ClientOperation> operations() {
    return List.copyOf(operations);
  }

  /** Operations by kind. */
  public Map<String, Integer> byKind() {
    Map<String, Integer> m = new TreeMap<>();
    for (ClientOperation o : operations) {
      m.merge(o.kind(), 1, Integer::sum);
    }
    return m;
  }

  /** The SHA-256 of every InRelease a client held after an update. */
  public Set<String> inReleases() {
    return Set.copyOf(inReleases);
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) {
      t.join(240_000);
    }
  }
}
