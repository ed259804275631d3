package org.mirrordirector.ops.node;

/** How a value is written and checked. */
public enum OptionType {
  STRING,
  PATH,
  INT,
  BOOLEAN,
  DURATION,
  BYTES,
  LIST
}
