package org.mirrordirector.sync.archive.generate;

import java.util.LinkedHashMap;

/** One .deb and its Packages stanza (archive fields included once written). */
record GeneratedDeb(
    String component, String name, String arch, LinkedHashMap<String, String> stanza) {
  String filename() {
    return stanza.get("Filename");
  }

  String key() {
    return component + "/" + name + "/" + arch;
  }
}
