package dev.baton.participant;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The participant SDK runs inside participant services: it shares only baton-protocol with the engine. */
class ParticipantBoundaryTest {
    private static final JavaClasses CLASSES = new ClassFileImporter().importPath(Path.of("target", "classes"));

    @Test
    @DisplayName("the SDK uses nothing of the engine, its connectors or Kafka")
    void knowsNoEngine() {
        assertThat(CLASSES.stream().map(JavaClass::getSimpleName)).contains("ParticipantRuntime", "CommandHandlers");
        noClasses().that().resideInAPackage("dev.baton.participant..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.baton.engine..", "dev.baton.kafka..",
                        "dev.baton.jdbi..", "dev.baton.jackson..", "dev.baton.testkit..", "org.apache.kafka..")
                .check(CLASSES);
    }
}
