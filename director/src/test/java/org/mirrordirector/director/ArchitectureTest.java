package org.mirrordirector.director;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The director reads the registry (failover) and the archive format (sync.archive) and knows what
 * the prober found (sync.probe); it never syncs, never generates archives and never uses the
 * operator's code. The main code only.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.mirrordirector.director");
  }

  @Test
  void theDirectorUsesOnlyTheRegistryAndTheArchiveFormat() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.mirrordirector.sync",
            "org.mirrordirector.sync.archive.generate..",
            "org.mirrordirector.ops..")
        .check(classes);
  }
}
