package org.mirrordirector.sync;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sync agent's packages, from the bottom up: {@code sync.net} (outbound HTTP), {@code
 * sync.archive} (the Debian archive format: indexes, InRelease, the verifier; the director reads
 * archives with it too), {@code sync.archive.generate} (real signed archives for the tests and the
 * demo) beside {@code sync} (rsync, snapshots, the hot spare), and {@code sync.probe} (probing the
 * public mirrors) on top. Each uses only those below it; none is in a cycle. The main code only.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.mirrordirector.sync");
  }

  @Test
  void eachLayerUsesOnlyTheLayersBelowIt() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("probe")
        .definedBy("org.mirrordirector.sync.probe..")
        .layer("agent")
        .definedBy("org.mirrordirector.sync")
        .layer("generate")
        .definedBy("org.mirrordirector.sync.archive.generate..")
        .layer("archive")
        .definedBy("org.mirrordirector.sync.archive")
        .layer("net")
        .definedBy("org.mirrordirector.sync.net..")
        .whereLayer("probe")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("agent")
        .mayOnlyBeAccessedByLayers("probe")
        .whereLayer("generate")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("archive")
        .mayOnlyBeAccessedByLayers("generate", "agent", "probe")
        .check(classes);
  }

  @Test
  void noPackageIsPartOfACycle() {
    slices().matching("org.mirrordirector.sync.(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  void neitherTheDirectorNorTheOperatorIsUsed() {
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.mirrordirector.director..", "org.mirrordirector.ops..")
        .check(classes);
  }
}
