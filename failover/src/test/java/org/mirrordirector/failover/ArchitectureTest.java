package org.mirrordirector.failover;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The failover module, the bottom of the project: {@code failover.net} (addresses, Happy Eyeballs,
 * NAT64) under {@code failover} (the registry, the election, fencing), neither using any other
 * module, no package in a cycle. The main code only.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.mirrordirector.failover");
  }

  @Test
  void theNetworkPartKnowsNothingOfTheCluster() {
    noClasses()
        .that()
        .resideInAPackage("org.mirrordirector.failover.net..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.mirrordirector.failover")
        .check(classes);
  }

  @Test
  void noOtherModuleIsUsed() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.mirrordirector.sync..",
            "org.mirrordirector.director..",
            "org.mirrordirector.ops..")
        .check(classes);
  }

  @Test
  void noPackageIsPartOfACycle() {
    slices().matching("org.mirrordirector.failover.(**)").should().beFreeOfCycles().check(classes);
  }
}
