package org.mirrordirector.sync.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Archive paths become the URLs apt would ask for: a '%' in a file name is sent as %25. */
class HttpArchiveSourceUrlTest {
  static final URI BASE = URI.create("http://[::1]:8080/raspbian/");

  @Test
  void fileNamesAreEncodedAsAptEncodesThem() {
    assertThat(HttpArchiveSource.resolve(BASE, "pool/main/g/gcc/gcc_4%3a12.2.0-3_amd64.deb"))
        .hasToString("http://[::1]:8080/raspbian/pool/main/g/gcc/gcc_4%253a12.2.0-3_amd64.deb");
    assertThat(HttpArchiveSource.resolve(BASE, "pool/main/g/g++/g++_12~rc1_armhf.deb"))
        .hasToString("http://[::1]:8080/raspbian/pool/main/g/g++/g++_12~rc1_armhf.deb");
    assertThat(HttpArchiveSource.resolve(BASE, "a:b/InRelease"))
        .as("a colon in the first segment is not a scheme")
        .hasToString("http://[::1]:8080/raspbian/a:b/InRelease");
    assertThat(HttpArchiveSource.resolve(BASE, "dists/bookworm/InRelease"))
        .hasToString("http://[::1]:8080/raspbian/dists/bookworm/InRelease");
  }
}
