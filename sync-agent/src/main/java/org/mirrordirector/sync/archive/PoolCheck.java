package org.mirrordirector.sync.archive;

/** How pool files are checked: not at all, by presence and size, or by SHA-256 too. */
public enum PoolCheck {
  NONE,
  SIZE,
  HASH
}
