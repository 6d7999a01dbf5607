package io.idempotent.flink;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.junit.jupiter.api.Test;

/** Rules for the connector's code (the core's are in CoreArchitectureTest) and all tests. */
class ArchitectureTest {

    /** The connector's own classes; the core's are checked in its module. */
    private static final JavaClasses MAIN =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages(
                            "io.idempotent.flink.origin",
                            "io.idempotent.flink.source",
                            "io.idempotent.flink.sink",
                            "io.idempotent.flink.table");

    private static final JavaClasses TESTS =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
                    .importPackages("io.idempotent.flink");

    @Test
    void onlyIntegrationTestsStartClusters() {
        noClasses()
                .that(
                        DescribedPredicate.describe(
                                "are not integration tests (*ITCase, *ITCaseBase)",
                                (JavaClass c) -> !c.getFullName().contains("ITCase")))
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("org.apache.flink.test.junit5.MiniClusterExtension")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName(
                        "org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName(
                        "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment")
                .because("unit tests stay fast; clusters start in *ITCase classes only")
                .check(TESTS);
    }

    /**
     * The connector's layers: {@code Traced} and its origin, which source and sink share; the
     * source and the sink, which know nothing of each other (the sink finds its sources through
     * {@code TracedSource}); the table API over both.
     */
    @Test
    void layersOfTheConnector() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("origin")
                .definedBy("io.idempotent.flink.origin..")
                .layer("source")
                .definedBy("io.idempotent.flink.source..")
                .layer("sink")
                .definedBy("io.idempotent.flink.sink..")
                .layer("table")
                .definedBy("io.idempotent.flink.table..")
                .whereLayer("table")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("sink")
                .mayOnlyBeAccessedByLayers("table")
                .whereLayer("source")
                .mayOnlyBeAccessedByLayers("table")
                .whereLayer("origin")
                .mayOnlyBeAccessedByLayers("source", "sink", "table")
                .check(MAIN);
    }

    @Test
    void everyPublicTypeSaysWhetherItIsPublicApi() {
        classes()
                .that()
                .arePublic()
                .and()
                .areTopLevelClasses()
                .should()
                .beAnnotatedWith(PublicEvolving.class)
                .orShould()
                .beAnnotatedWith(Internal.class)
                .because("users must see which types they may build on")
                .check(MAIN);
    }
}
