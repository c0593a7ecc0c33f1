package dev.baton.kafka.common;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** baton-kafka-common is carried by engine nodes and participant services alike: it knows neither side. */
class KafkaCommonBoundaryTest {
    private static final JavaClasses CLASSES = new ClassFileImporter().importPath(Path.of("target", "classes"));

    @Test
    @DisplayName("the shared Kafka plumbing uses neither the engine nor the participant SDK, nor the broker")
    void knowsNeitherSide() {
        assertThat(CLASSES.stream().map(JavaClass::getSimpleName)).contains("KafkaOptions", "Clients", "ConsumerLoop");
        noClasses().that().resideInAPackage("dev.baton.kafka.common..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.baton.engine..", "dev.baton.participant..",
                        "dev.baton.kafka.dev..", "kafka..", "scala..")
                .check(CLASSES);
    }
}
