package org.mirrordirector.failover;

/**
 * Told of every change of a node's role. Calls run on the executor the listener was registered
 * with, after the change; by the time one runs, the role may have changed again, so a listener that
 * acts must check {@link Leadership#isServingAsLeader()} or rely on fencing.
 */
@FunctionalInterface
public interface LeadershipListener {
  void roleChanged(Role from, Role to, long epoch);
}
