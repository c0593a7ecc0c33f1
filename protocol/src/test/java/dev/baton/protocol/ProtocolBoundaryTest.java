package dev.baton.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The module boundary of baton-protocol, checked on its compiled classes (the enforcer checks its dependencies). */
class ProtocolBoundaryTest {
    private static final JavaClasses CLASSES = new ClassFileImporter().importPath(Path.of("target", "classes"));

    @Test
    @DisplayName("dev.baton.protocol uses the JDK (java..) alone")
    void jdkOnly() {
        assertThat(CLASSES).extracting(c -> c.getSimpleName()).contains("Headers", "CommandKind", "ReplyOutcome");
        classes().that().resideInAPackage("dev.baton.protocol..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.baton.protocol..")
                .check(CLASSES);
    }
}
