package dev.baton.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The production server (this module's classes, which baton-server.jar holds) carries no broker, no Scala and no
 * participant SDK; dev mode reaches it only through {@link DevSetup}, loaded once the dev jar was found.
 */
class ServerBoundaryTest {
    private static final JavaClasses CLASSES = new ClassFileImporter().importPath(Path.of("target", "classes"));

    @Test
    @DisplayName("the server uses no broker, no Scala and no participant SDK")
    void noDevParts() {
        assertThat(CLASSES.stream().map(JavaClass::getSimpleName)).contains("Main", "BatonServer", "DevSetup");
        noClasses().that().resideInAPackage("dev.baton.server..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.baton.kafka.dev..", "kafka..", "scala..",
                        "dev.baton.participant..")
                .check(CLASSES);
    }

    @Test
    @DisplayName("only DevSetup names dev mode's classes (dev.baton.server.dev, in baton-server-dev.jar)")
    void oneDoorToDevMode() {
        noClasses().that().resideInAPackage("dev.baton.server..").and().doNotHaveSimpleName("DevSetup")
                .should().dependOnClassesThat().resideInAPackage("dev.baton.server.dev..")
                .check(CLASSES);
    }
}
