package dev.baton.kafka;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The module boundary of baton-kafka, checked on its compiled classes (the enforcer checks its dependencies). */
class KafkaBoundaryTest {
    private static final JavaClasses CLASSES = new ClassFileImporter().importPath(Path.of("target", "classes"));

    @Test
    @DisplayName("the engine's Kafka transport uses nothing of the participant SDK or its Kafka binding")
    void transportKnowsNoParticipantSdk() {
        noClasses().that().resideInAPackage("dev.baton.kafka..")
                .should().dependOnClassesThat().resideInAPackage("dev.baton.participant..")
                .check(CLASSES);
    }

    @Test
    @DisplayName("nor the broker: the dev broker stays out of the transport")
    void transportKnowsNoBroker() {
        noClasses().that().resideInAPackage("dev.baton.kafka..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.baton.kafka.dev..", "kafka..", "scala..")
                .check(CLASSES);
    }

    @Test
    @DisplayName("the rules see the transport's classes, and a rule the code breaks is reported")
    void rulesCanFail() {
        assertThat(CLASSES.stream().map(JavaClass::getSimpleName)).contains("KafkaTransport", "KafkaStartConsumer");
        assertThatThrownBy(() -> noClasses().that().resideInAPackage("dev.baton.kafka..")
                .should().dependOnClassesThat().resideInAPackage("dev.baton.engine..")
                .check(CLASSES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("KafkaTransport");
    }
}
