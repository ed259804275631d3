package org.mirrordirector.sync;

import java.nio.file.Path;
import java.util.List;
import org.mirrordirector.sync.archive.Sha1Policy;
import org.mirrordirector.sync.archive.TrustedKeys;

/** A sync agent in a JVM of its own, so that a test can SIGKILL it at any moment. */
public final class SyncProcess {
  private SyncProcess() {}

  public static void main(String[] args) throws Exception {
    SyncConfig c = SyncConfig.of(args[0], Path.of(args[1]), List.of("bookworm"), "node-a");
    TrustedKeys keys = TrustedKeys.load(Path.of(args[2]), List.of(), Sha1Policy.REJECT);
    System.out.println("STARTED");
    System.out.flush();
    SyncReport r = new SyncAgent(c, keys).runOnce();
    System.out.println("DONE " + r.outcome());
  }
}
