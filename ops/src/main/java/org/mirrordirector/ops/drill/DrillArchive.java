package org.mirrordirector.ops.drill;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mirrordirector.ops.client.NodeClient;

/**
 * What the drill knows of the archive, read through the service like apt would.
 *
 * @param sources whether the Release lists a Sources index (apt's {@code deb-src} lines and {@code
 *     apt-get source} need one; without it apt skips them and {@code source} fails)
 */
public record DrillArchive(
    List<String> paths, String architecture, List<String> components, boolean sources) {

  /**
   * The suite's InRelease, the architecture and components it names, and up to 40 pool files of its
   * first Packages index (uncompressed, .xz or .gz).
   */
  public static DrillArchive read(HttpClient http, NodeClient service, DrillLoadPlan target)
      throws IOException, InterruptedException {
    String root = target.root().substring(1);
    String dists = root + "dists/" + target.suite() + "/";
    String inRelease =
        new String(
            fetchBytes(http, service.base().resolve(dists + "InRelease")), StandardCharsets.UTF_8);
    String arch = null;
    List<String> components = new ArrayList<>();
    List<String> indexes = new ArrayList<>();
    boolean inSha256 = false;
    for (String l : inRelease.split("\n")) {
      if (l.startsWith("Architectures:")) {
        for (String a : l.substring(14).trim().split("\\s+")) {
          if (arch == null && !a.equals("all")) {
            arch = a;
          }
        }
      } else if (l.startsWith("Components:")) {
        components.addAll(List.of(l.substring(11).trim().split("\\s+")));
      } else if (l.startsWith("SHA256:")) {
        inSha256 = true;
      } else if (inSha256 && l.startsWith(" ")) {
        String[] f = l.trim().split("\\s+");
        if (f.length == 3) {
          indexes.add(f[2]);
        }
      } else {
        inSha256 = false;
      }
    }
    if (arch == null || components.isEmpty()) {
      throw new IOException(dists + "InRelease names no architecture or no component");
    }
    String index = null;
    for (String suffix : List.of("", ".xz", ".gz")) {
      for (String c : components) {
        String want = c + "/binary-" + arch + "/Packages" + suffix;
        if (index == null && indexes.contains(want)) {
          index = want;
        }
      }
    }
    if (index == null) {
      throw new IOException(dists + "InRelease lists no Packages index for " + arch);
    }
    byte[] raw = fetchBytes(http, service.base().resolve(dists + index));
    String packages;
    try (java.io.InputStream in =
        org.mirrordirector.sync.archive.Compression.of(index)
            .decompress(new java.io.ByteArrayInputStream(raw), index, 1L << 30)) {
      packages = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> paths = new ArrayList<>();
    paths.add(dists + "InRelease");
    for (String l : packages.split("\n")) {
      if (l.startsWith("Filename: ") && paths.size() < 41) {
        paths.add(root + l.substring(10).strip());
      }
    }
    if (paths.size() < 2) {
      throw new IOException(dists + index + " names no file");
    }
    boolean sources = false;
    for (String i : indexes) {
      sources |= i.matches("[^/]+/source/Sources(\\.xz|\\.gz|\\.bz2)?");
    }
    return new DrillArchive(paths, arch, components, sources);
  }

  private static byte[] fetchBytes(HttpClient http, URI u)
      throws IOException, InterruptedException {
    for (int hop = 0; hop < 3; hop++) {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() == 200) {
        return r.body();
      }
      if (r.statusCode() != 302) {
        throw new IOException(u + " answered " + r.statusCode());
      }
      u = URI.create(r.headers().firstValue("Location").orElseThrow());
    }
    throw new IOException("too many redirects from " + u);
  }
}
