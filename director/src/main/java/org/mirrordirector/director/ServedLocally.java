package org.mirrordirector.director;

/** What {@link #serve} did. */
enum ServedLocally {
  /** The request is answered: the file, or an error that says why. */
  ANSWERED,
  /** No kept snapshot has this pool or by-hash file, and it may be held for one that will. */
  MISSING
}
