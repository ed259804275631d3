package org.mirrordirector.ops.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.mirrordirector.ops.client.AptAttempt;
import org.mirrordirector.ops.client.AptClient;
import org.mirrordirector.ops.client.NodeClient;

/**
 * The real apt-get update in a loop, through the service address, in a private directory (the
 * machine's own apt state is untouched). apt's default retries (3) are on, as on users' machines.
 */
public final class AptLoop {
  public final NodeClient service;
  public final DrillLoadPlan target;
  public final DrillArchive archive;
  public final AtomicInteger runs = new AtomicInteger();
  public final AtomicInteger failed = new AtomicInteger();
  public final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  public final AtomicBoolean running = new AtomicBoolean(true);
  public Thread thread;
  public Path dir;

  public AptLoop(NodeClient service, DrillLoadPlan target, DrillArchive archive) {
    this.service = service;
    this.target = target;
    this.archive = archive;
  }

  public void start() throws IOException {
    dir = Files.createTempDirectory("mirrorctl-drill-apt");
    AptClient apt = new AptClient(dir, archive.architecture());
    apt.sources(
        "deb [signed-by="
            + target.aptKeyring()
            + "] "
            + service.base().resolve(target.root().substring(1))
            + " "
            + target.suite()
            + " "
            + String.join(" ", archive.components())
            + "\n");
    thread =
        new Thread(
            () -> {
              while (running.get()) {
                String problem = once(apt);
                runs.incrementAndGet();
                if (problem != null && running.get()) {
                  failed.incrementAndGet();
                  errors.add("apt-get update: " + problem);
                }
              }
            },
            "drill-apt");
    thread.setDaemon(true);
    thread.start();
  }

  /** One apt-get update; null when it went well, else the first line apt complained in. */
  public static String once(AptClient apt) {
    try {
      AptAttempt a = apt.attempt("apt-get", "update");
      if (a.ok()) {
        return null;
      }
      for (String l : a.output().split("\n")) {
        if (l.startsWith("W:") || l.startsWith("E:") || l.startsWith("Err:")) {
          return l;
        }
      }
      return "exit " + a.exit();
    } catch (IOException e) {
      return e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  public void stop() throws InterruptedException, IOException {
    running.set(false);
    thread.join(60_000);
    try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
