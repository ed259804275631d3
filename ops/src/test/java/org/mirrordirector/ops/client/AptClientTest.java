package org.mirrordirector.ops.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptClientTest {
  @TempDir Path dir;

  @Test
  void aptReadsTheClientsOwnConfigurationNotTheMachines() throws Exception {
    AptClient apt = new AptClient(dir.resolve("client"), "armhf");
    // Read only when Dir::Etc is moved before apt reads its parts: a -o option comes too late.
    Files.writeString(
        dir.resolve("client/etc/apt.conf.d/10marker"), "MirrorDirector::Marker \"client\";\n");
    AptAttempt dump = apt.attempt("apt-config", "dump");
    assertThat(dump.ok()).as(dump.output()).isTrue();
    assertThat(dump.output()).contains("MirrorDirector::Marker \"client\";");
    // what the machine's /etc/apt/apt.conf.d may set here (hooks, compressed lists) is not read
    assertThat(dump.output())
        .doesNotContain("APT::Update::Post-Invoke-Success")
        .doesNotContain("Acquire::GzipIndexes");
  }

  @Test
  void anArchitectureThatIsNotOneIsRefused() {
    assertThatThrownBy(() -> new AptClient(dir, "armhf; rm"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'armhf; rm' is not an architecture");
  }
}
