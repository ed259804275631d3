package org.mirrordirector.ops;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

/**
 * A nested type belongs to the file that declares it: a type that another file uses is a top-level
 * type of its own (a nested type used from outside ties the two files into a loop as soon as the
 * outer class uses the user). Checked over the main code of every module, which the ops module sees
 * whole; the tests may nest as they like.
 */
class NestedTypesTest {

  @Test
  void aNestedTypeIsUsedOnlyInTheFileThatDeclaresIt() {
    JavaClasses main =
        new ClassFileImporter()
            .withImportOption(
                location ->
                    !location.contains("/test-classes/") && !location.contains("-tests.jar"))
            .importPackages("org.mirrordirector");
    classes()
        .that()
        .areMemberClasses()
        .should(beUsedOnlyInTheirOwnFile())
        .allowEmptyShould(false)
        .check(main);
  }

  private static ArchCondition<JavaClass> beUsedOnlyInTheirOwnFile() {
    return new ArchCondition<>("be used only in the file that declares them") {
      @Override
      public void check(JavaClass nested, ConditionEvents events) {
        JavaClass file = topLevel(nested);
        for (Dependency d : nested.getDirectDependenciesToSelf()) {
          JavaClass user = topLevel(d.getOriginClass());
          if (!user.equals(file)) {
            events.add(
                SimpleConditionEvent.violated(
                    nested,
                    nested.getName()
                        + " is used by "
                        + user.getName()
                        + ": make it a top-level type ("
                        + d.getDescription()
                        + ")"));
          }
        }
      }
    };
  }

  private static JavaClass topLevel(JavaClass c) {
    JavaClass t = c;
    while (t.getEnclosingClass().isPresent()) {
      t = t.getEnclosingClass().get();
    }
    return t;
  }
}
