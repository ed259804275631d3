package org.mirrordirector.ops.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mirrordirector.ops.node.RsyncModule;

/**
 * The demo's upstream: the rsync daemons that serve its archive (the mirrors' and, when they
 * differ, the nodes'), which a soak stops and starts again on their ports.
 */
final class DemoUpstream implements AutoCloseable {
  private record Daemon(Path conf, Path tree, int port) {}

  private final List<Daemon> daemons = new ArrayList<>();
  private final List<RsyncModule> running = new ArrayList<>();

  /** Starts a daemon serving {@code tree} on 127.0.0.1 at {@code port}. */
  synchronized RsyncModule start(Path conf, Path tree, int port) throws Exception {
    Daemon d = new Daemon(conf, tree, port);
    RsyncModule m = open(d);
    daemons.add(d);
    running.add(m);
    return m;
  }

  /** Stops every daemon: the upstream is down. */
  synchronized void down() {
    running.forEach(RsyncModule::close);
  }

  /** Starts every daemon again, on its port. */
  synchronized void up() throws Exception {
    for (int i = 0; i < daemons.size(); i++) {
      running.set(i, open(daemons.get(i)));
    }
  }

  private static RsyncModule open(Daemon d) throws Exception {
    return new RsyncModule(d.conf(), d.tree(), "127.0.0.1", d.port(), "127.0.0.1");
  }

  @Override
  public synchronized void close() {
    down();
  }
}
