package org.mirrordirector.ops;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ops module's packages, from the bottom up: {@code process} and {@code common} (helpers),
 * {@code node} (the runtime that production runs), {@code client} (talking to running nodes and
 * through them, as apt does), {@code hosting} (the hosting's network in small), {@code demo} and
 * {@code drill} (beside each other), {@code soak} (which runs on the demo and uses the drill's
 * faults), {@code cli} (the commands) and {@code packaging} (the build step that writes the manual
 * pages from the command tree). Each may use only the ones below it; none is part of a cycle. The
 * main code only: the tests may use anything.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.mirrordirector.ops");
  }

  @Test
  void eachLayerUsesOnlyTheLayersBelowIt() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("packaging")
        .definedBy("org.mirrordirector.ops.packaging..")
        .layer("cli")
        .definedBy("org.mirrordirector.ops.cli..")
        .layer("soak")
        .definedBy("org.mirrordirector.ops.soak..")
        .layer("drill")
        .definedBy("org.mirrordirector.ops.drill..")
        .layer("demo")
        .definedBy("org.mirrordirector.ops.demo..")
        .layer("hosting")
        .definedBy("org.mirrordirector.ops.hosting..")
        .layer("client")
        .definedBy("org.mirrordirector.ops.client..")
        .layer("node")
        .definedBy("org.mirrordirector.ops.node..")
        .layer("common")
        .definedBy("org.mirrordirector.ops.common..", "org.mirrordirector.ops.process..")
        .whereLayer("packaging")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("cli")
        .mayOnlyBeAccessedByLayers("packaging")
        .whereLayer("soak")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("drill")
        .mayOnlyBeAccessedByLayers("soak", "cli")
        .whereLayer("demo")
        .mayOnlyBeAccessedByLayers("soak", "cli")
        .whereLayer("hosting")
        .mayOnlyBeAccessedByLayers("demo", "drill", "soak", "cli")
        .whereLayer("client")
        .mayOnlyBeAccessedByLayers("hosting", "demo", "drill", "soak", "cli")
        .whereLayer("node")
        .mayOnlyBeAccessedByLayers("client", "hosting", "demo", "drill", "soak", "cli", "packaging")
        .check(classes);
  }

  @Test
  void noPackageIsPartOfACycle() {
    slices().matching("org.mirrordirector.ops.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void everyClassIsInAPackageByConcern() {
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
        .should()
        .resideInAPackage("org.mirrordirector.ops")
        .because("the module's top package holds no code: each class is in the package of its job")
        .check(classes);
  }
}
