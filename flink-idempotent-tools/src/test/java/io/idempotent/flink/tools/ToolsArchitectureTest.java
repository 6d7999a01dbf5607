package io.idempotent.flink.tools;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The operator tools run on the core and the clients of the stores and streams alone ({@code
 * bin/idempotent}'s class path is this module's runtime dependencies): no Flink, no connector,
 * nothing of the tests.
 */
class ToolsArchitectureTest {

    private static final JavaClasses TOOLS =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("io.idempotent.flink.tools");

    @Test
    void theToolsUseNeitherFlinkNorTheConnectorNorTheTests() {
        noClasses()
                .should()
                .dependOnClassesThat(
                        resideInAPackage("org.apache.flink..")
                                .and(not(resideInAPackage("org.apache.flink.annotation..")))
                                .or(
                                        resideInAnyPackage(
                                                "io.idempotent.flink.source..",
                                                "io.idempotent.flink.sink..",
                                                "io.idempotent.flink.table..",
                                                "io.idempotent.flink.testutils..")))
                .because("the tools run outside Flink, on a class path without test servers")
                .check(TOOLS);
    }
}
