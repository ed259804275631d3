package org.mirrordirector.ops.common;

/** Background threads that never keep the JVM alive. */
public final class Daemons {
  private Daemons() {}

  /** A daemon thread running {@code r}, named, not started. */
  public static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
