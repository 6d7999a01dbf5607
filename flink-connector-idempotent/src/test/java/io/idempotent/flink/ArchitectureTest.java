package io.idempotent.flink;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

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
