package dev.baton.participant.kafka;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The participant's Kafka binding runs inside participant services: no engine, no engine transport. */
class ParticipantKafkaBoundaryTest {
    private static final JavaClasses CLASSES = new ClassFileImporter().importPath(Path.of("target", "classes"));

    @Test
    @DisplayName("the binding uses the SDK and baton-kafka-common, never the engine or its Kafka transport")
    void knowsNoEngine() {
        assertThat(CLASSES.stream().map(JavaClass::getSimpleName)).contains("KafkaParticipant");
        noClasses().that().resideInAPackage("dev.baton.participant..")
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "belong to the engine or its Kafka transport (dev.baton.engine.., dev.baton.kafka.. but not dev.baton.kafka.common..)",
                        (JavaClass c) -> c.getPackageName().startsWith("dev.baton.engine")
                                || (c.getPackageName().startsWith("dev.baton.kafka")
                                        && !c.getPackageName().startsWith("dev.baton.kafka.common"))))
                .check(CLASSES);
    }
}
