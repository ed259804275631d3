package org.mirrordirector.ops;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.mirrordirector.sync.archive.Apt;
import org.mirrordirector.sync.archive.Sha256;

/**
 * Real apt clients in a loop, each in its own private root: {@code apt-get update}, then {@code
 * apt-get download} of a few packages its lists name, again and again until stopped. Every run that
 * exits non-zero or says W:, E: or Err: is a failure, kept with apt's output. apt retries nothing
 * ({@code Acquire::Retries=0}): every failure counts.
 */
public final class AptLoops implements AutoCloseable {
  /** One failed apt operation. */
  public record Failure(int loop, String operation, Instant at, String output) {}

  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger operations = new AtomicInteger();
  private final List<Failure> failures = new CopyOnWriteArrayList<>();
  private final Set<String> inReleases = ConcurrentHashMap.newKeySet();

  public AptLoops(Path dir, String sourcesLine, int loops, int perDownload, long seed)
      throws IOException {
    for (int i = 0; i < loops; i++) {
      int n = i;
      Apt apt = new Apt(dir.resolve("apt-" + i));
      apt.sources(sourcesLine);
      Random random = new Random(seed + i);
      Thread t =
          new Thread(
              () -> {
                try {
                  loop(n, apt, random, perDownload);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (IOException e) {
                  failures.add(new Failure(n, "harness", Instant.now(), e.toString()));
                }
              },
              "apt-loop-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
  }

  public AptLoops start() {
    threads.forEach(Thread::start);
    return this;
  }

  private void loop(int n, Apt apt, Random random, int perDownload)
      throws IOException, InterruptedException {
    while (!stop.get()) {
      if (!record(n, "update", apt.attempt("apt-get", "update"))) {
        continue;
      }
      noteInRelease(apt);
      Apt.Attempt names = apt.attempt("apt-cache", "pkgnames");
      List<String> pkgs = new ArrayList<>(List.of(names.output().strip().split("\n")));
      pkgs.removeIf(String::isBlank);
      Collections.shuffle(pkgs, random);
      if (pkgs.isEmpty() || stop.get()) {
        continue;
      }
      List<String> args = new ArrayList<>();
      args.add("download");
      args.addAll(pkgs.subList(0, Math.min(perDownload, pkgs.size())));
      record(
          n,
          "download " + String.join(" ", args.subList(1, args.size())),
          apt.attempt("apt-get", args.toArray(String[]::new)));
      try (DirectoryStream<Path> debs = Files.newDirectoryStream(apt.downloads(), "*.deb")) {
        for (Path d : debs) {
          Files.delete(d);
        }
      }
    }
  }

  private boolean record(int n, String op, Apt.Attempt a) {
    operations.incrementAndGet();
    if (!a.ok()) {
      failures.add(new Failure(n, op, Instant.now(), a.output()));
    }
    return a.ok();
  }

  /** The InRelease apt now holds: which versions the clients really got. */
  private void noteInRelease(Apt apt) throws IOException {
    try (DirectoryStream<Path> lists =
        Files.newDirectoryStream(apt.downloads().resolveSibling("lists"), "*_InRelease")) {
      for (Path l : lists) {
        inReleases.add(Sha256.hex(Files.readAllBytes(l)));
      }
    }
  }

  public int operations() {
    return operations.get();
  }

  public List<Failure> failures() {
    return List.copyOf(failures);
  }

  /** The SHA-256 of every InRelease a client held after an update. */
  public Set<String> inReleases() {
    return Set.copyOf(inReleases);
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) {
      t.join(180_000);
    }
  }
}
