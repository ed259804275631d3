package org.mirrordirector.sync.archive.generate;

import java.util.LinkedHashMap;
import java.util.Map;

/** One source package: its files (name to content) and its Sources stanza. */
record GeneratedSource(
    String component,
    String name,
    String version,
    String directory,
    Map<String, byte[]> files,
    LinkedHashMap<String, String> stanza) {

  long bytes() {
    long n = 0;
    for (byte[] b : files.values()) {
      n += b.length;
    }
    return n;
  }
}
