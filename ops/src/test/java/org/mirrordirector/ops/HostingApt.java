package org.mirrordirector.ops;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.mirrordirector.ops.hosting.HostingScenario;
import org.mirrordirector.sync.archive.Apt;

/** Real apt as a client outside, in the hosting's internet namespace ({@link HostingScenario}). */
public final class HostingApt {
  private HostingApt() {}

  /**
   * apt over one family ({@code "4"} or {@code "6"}) at {@code base}: update and download of one
   * package; returns the mirrors' access-log lines of its requests.
   */
  public static List<String> apt(HostingScenario h, String name, String family, String base)
      throws Exception {
    long before = Files.exists(h.access) ? Files.size(h.access) : 0;
    Apt apt = new Apt(h.dir.resolve("apt-" + name)).inNamespace(h.net.internet);
    apt.sources("deb [signed-by=" + h.keyring + "] " + base + " bookworm main");
    String force = "Acquire::ForceIPv" + family + "=true";
    String trust = "Acquire::https::CAInfo=" + h.ca;
    apt.run("-o", force, "-o", trust, "update");
    apt.run("-o", force, "-o", trust, "download", firstPackage(h));
    List<String> served = new ArrayList<>();
    for (String line : Files.readString(h.access).substring((int) before).split("\n")) {
      if (line.contains("Debian APT-HTTP")) {
        served.add(line);
      }
    }
    return served;
  }

  private static String firstPackage(HostingScenario h) throws java.io.IOException {
    for (String l :
        Files.readAllLines(h.upstreamRoot.resolve("dists/bookworm/main/binary-armhf/Packages"))) {
      if (l.startsWith("Package: ")) {
        return l.substring("Package: ".length());
      }
    }
    throw new IllegalStateException("the upstream's main Packages names no package");
  }
}
