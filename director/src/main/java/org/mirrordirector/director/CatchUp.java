package org.mirrordirector.director;

/**
 * What the rest of the node does when a client asks for a file the director cannot place: a sign
 * that the client is ahead of the director (it got a newer InRelease from a mirror that moved
 * first), so the node looks for the newer snapshot at once instead of at its next interval.
 */
public interface CatchUp {
  /** Nothing to look at: the director stands alone. */
  CatchUp NONE =
      new CatchUp() {
        @Override
        public void lookNow() {}

        @Override
        public boolean catchingUp() {
          return false;
        }
      };

  /** Looks for newer snapshots now (recheck the mirrors, look at the upstream); never blocks. */
  void lookNow();

  /**
   * True while this node knows of a snapshot newer than the ones it serves files from and is
   * fetching it: a file it cannot place may exist, so the answer is "try again", not "not found".
   */
  boolean catchingUp();
}
