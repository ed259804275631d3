package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.process.ChildProcesses;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.RunResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * How the test command runs its JVMs (docs/testing.md, "How the tests run"): two test JVMs per
 * module at once with the serial collector, and every JVM a test starts with C1 only and the serial
 * collector.
 */
class TestJvmsTest {
  @TempDir Path dir;

  private static final List<String> TEST = List.of("-XX:+UseSerialGC");
  private static final List<String> CHILD = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  @Test
  void theParentPomRunsTwoTestJvmsPerModuleWithTheirOptions() throws Exception {
    Document pom =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(Path.of("..", "pom.xml").toFile());
    Element props = (Element) pom.getElementsByTagName("properties").item(0);
    assertThat(text(props, "md.forks")).isEqualTo("2");
    assertThat(List.of(text(props, "md.testJvmOptions").split("\\s+"))).isEqualTo(TEST);
    assertThat(List.of(text(props, "md.childJvmOptions").split("\\s+"))).isEqualTo(CHILD);
    NodeList plugins = pom.getElementsByTagName("plugin");
    Element surefire = null;
    for (int i = 0; i < plugins.getLength(); i++) {
      Element p = (Element) plugins.item(i);
      if ("maven-surefire-plugin".equals(text(p, "artifactId"))) {
        surefire = p;
      }
    }
    assertThat(surefire).isNotNull();
    assertThat(text(surefire, "forkCount")).isEqualTo("${md.forks}");
    assertThat(text(surefire, "argLine")).isEqualTo("${md.testJvmOptions}");
    assertThat(text(surefire, "md.childJvmOptions")).isEqualTo("${md.childJvmOptions}");
  }

  @Test
  void thisTestJvmAndTheJvmsTestsStartRunWithTheirOptions() throws Exception {
    assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments()).containsAll(TEST);
    assertThat(System.getProperty("md.childJvmOptions")).isNotBlank();
    List<String> java = ChildProcesses.java();
    assertThat(java.subList(1, java.size())).isEqualTo(CHILD);
    // The options as the child JVM takes them: valid on this JVM, and in force.
    List<String> cmd = new ArrayList<>(java);
    cmd.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
    RunResult r = BoundedRun.run(cmd, dir, Duration.ofSeconds(60));
    assertThat(r.exit()).as(r.describe(cmd)).isZero();
    assertThat(r.output()).containsPattern("TieredStopAtLevel\\s+=\\s+1\\b");
    assertThat(r.output()).containsPattern("UseSerialGC\\s+=\\s+true\\b");
  }

  private static String text(Element e, String tag) {
    NodeList l = e.getElementsByTagName(tag);
    return l.getLength() == 0 ? null : l.item(0).getTextContent().strip();
  }
}
