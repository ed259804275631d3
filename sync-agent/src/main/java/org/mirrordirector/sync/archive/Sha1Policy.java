package org.mirrordirector.sync.archive;

/**
 * Whether a key whose binding self-signatures use SHA-1 may be trusted. Raspbian's archive key
 * (A0DA38D0D76E8B5D638872819165938D90FDDD2E) has only SHA-1 bindings, so an operator of a Raspbian
 * mirror must choose ALLOW knowingly; the default is REJECT. Signatures over archive data itself
 * are never accepted with SHA-1, whatever this says.
 */
public enum Sha1Policy {
  REJECT,
  ALLOW_FOR_BINDINGS
}
