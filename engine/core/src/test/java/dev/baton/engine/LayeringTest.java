package dev.baton.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The layering of the design, checked on the compiled classes (the Maven enforcer checks the dependencies). */
class LayeringTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.baton.dsl", "dev.baton.engine");

    @Test
    @DisplayName("the DSL and the engine core use no Kafka, JDBC, JDBI, Jackson or Resilience4j type")
    void coreKnowsNoInfrastructure() {
        noClasses().that().resideInAnyPackage("dev.baton.dsl..", "dev.baton.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "java.sql..", "javax.sql..",
                        "org.jdbi..", "com.fasterxml.jackson..", "com.zaxxer..", "org.h2..",
                        "io.github.resilience4j..")
                .check(CLASSES);
    }

    @Test
    @DisplayName("the DSL does not know the engine")
    void dslDoesNotKnowTheEngine() {
        noClasses().that().resideInAPackage("dev.baton.dsl..")
                .should().dependOnClassesThat().resideInAPackage("dev.baton.engine..")
                .check(CLASSES);
    }

    @Test
    @DisplayName("ports (SPI) do not depend on engine internals")
    void spiIsIndependentOfInternals() {
        noClasses().that().resideInAPackage("dev.baton.engine.spi..")
                .should().dependOnClassesThat().resideInAPackage("dev.baton.engine.internal..")
                .check(CLASSES);
    }

    @Test
    @DisplayName("the rules above can fail: the importer sees the classes, and a rule the code breaks is reported")
    void rulesCanFail() {
        assertThat(CLASSES.that(com.tngtech.archunit.base.DescribedPredicate.describe("engine internals",
                c -> c.getPackageName().equals("dev.baton.engine.internal")))).isNotEmpty();
        assertThatThrownBy(() -> noClasses().that().resideInAPackage("dev.baton.engine.internal..")
                .should().dependOnClassesThat().resideInAPackage("dev.baton.dsl..")
                .check(CLASSES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("StateMachine");
    }
}
