package org.mirrordirector.sync.archive.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.archive.Apt;
import org.mirrordirector.sync.archive.Sha256;
import org.mirrordirector.sync.archive.StaticHttpServer;
import org.mirrordirector.sync.archive.TestArchive;

/** The real apt-get must accept what the generator writes, over file: and over HTTP. */
class AptAcceptsGeneratedArchiveTest {
  @TempDir Path dir;

  private static List<String> packageNames(TestArchive a, int n) throws Exception {
    List<String> names = new ArrayList<>();
    for (String l : Files.readAllLines(a.dists("main/binary-armhf/Packages"))) {
      if (l.startsWith("Package: ") && names.size() < n) {
        names.add(l.substring(9));
      }
    }
    return names;
  }

  private static void updateAndDownload(Apt apt, TestArchive a) throws Exception {
    String update = apt.run("update");
    assertThat(update).contains("InRelease");
    List<String> names = packageNames(a, 4);
    List<String> args = new ArrayList<>(List.of("download"));
    args.addAll(names);
    apt.run(args.toArray(String[]::new));
    try (var files = Files.list(apt.downloads())) {
      List<Path> debs = files.filter(p -> p.toString().endsWith(".deb")).toList();
      assertThat(debs).hasSize(names.size());
      for (Path deb : debs) {
        String name = deb.getFileName().toString();
        Path original;
        try (var pool = Files.walk(a.root.resolve("pool"))) {
          original =
              pool.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
        }
        assertThat(Sha256.hex(Files.readAllBytes(deb)))
            .isEqualTo(Sha256.hex(Files.readAllBytes(original)));
      }
    }
  }

  @Test
  void aptUpdatesAndDownloadsOverFile() throws Exception {
    TestArchive a = TestArchive.create(dir, 25);
    Apt apt = new Apt(dir.resolve("apt"));
    apt.sources("deb [signed-by=" + a.keyring + "] file:" + a.root + " bookworm main rpi");
    updateAndDownload(apt, a);
  }

  @Test
  void aptUpdatesAndDownloadsOverHttpWithByHash() throws Exception {
    TestArchive a =
        TestArchive.create(
            dir, GeneratorOptions.small(dir.resolve("archive"), 25, 4).withByHash(true));
    try (StaticHttpServer http = new StaticHttpServer(a.root)) {
      Apt apt = new Apt(dir.resolve("apt"));
      apt.sources("deb [signed-by=" + a.keyring + "] " + http.base() + " bookworm main rpi");
      updateAndDownload(apt, a);
    }
  }

  @Test
  void aptRefusesTheArchiveWhenTheKeyIsNotTheArchiveKey() throws Exception {
    TestArchive a = TestArchive.create(dir, 5);
    Path wrong = dir.resolve("wrong.asc");
    Files.write(wrong, SigningKey.fromSeed("a different key", false).publicKeyArmored());
    Apt apt = new Apt(dir.resolve("apt"));
    apt.sources("deb [signed-by=" + wrong + "] file:" + a.root + " bookworm main");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> apt.run("update"))
        .hasMessageContaining("NO_PUBKEY");
  }
}
