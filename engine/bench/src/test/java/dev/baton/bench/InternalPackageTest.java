package dev.baton.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code dev.baton.engine.internal} is the engine core's own: no other module's production classes use it (test
 * kits and benchmarks drive the engine through {@code spi.EngineControls}). This module is the last of the build,
 * so every other module's {@code target/classes} is there to check. The one exception is this module's
 * {@link DecideBenchmark}, which measures the pure state machine itself and is never shipped.
 */
class InternalPackageTest {
    private static final ArchRule NO_INTERNALS = noClasses().that().resideOutsideOfPackage("dev.baton.engine.internal..")
            .should().dependOnClassesThat().resideInAPackage("dev.baton.engine.internal..")
            .because("engine internals carry no compatibility promise; use the API, the SPI or spi.EngineControls");

    /** Every module's compiled production classes, except the engine core's and this module's. */
    private static List<Path> otherModules() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("engine/core/pom.xml"))) {
            root = root.getParent();
        }
        Path top = root;
        try (Stream<Path> dirs = Files.walk(top, 4)) {
            return dirs.filter(d -> d.endsWith(Path.of("target", "classes")) && Files.isDirectory(d))
                    .filter(d -> !d.startsWith(top.resolve("engine/core")) && !d.startsWith(top.resolve("engine/bench")))
                    .sorted().toList();
        }
    }

    @Test
    @DisplayName("no module but the engine core uses dev.baton.engine.internal")
    void internalsStayInTheCore() throws IOException {
        List<Path> modules = otherModules();
        assertThat(modules).as("the modules this one builds on are compiled").extracting(p -> p.getParent().getParent()
                .getFileName().toString()).contains("testkit", "jdbi", "kafka", "participant", "participant-kafka", "protocol");
        NO_INTERNALS.check(new ClassFileImporter().importPaths(modules));
    }

    @Test
    @DisplayName("the rule can fail: it reports this module's state machine benchmark, the one allowed exception")
    void ruleCanFail() {
        JavaClasses bench = new ClassFileImporter().importPath(Path.of("target", "classes"));
        assertThatThrownBy(() -> NO_INTERNALS.check(bench)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("DecideBenchmark");
    }
}
