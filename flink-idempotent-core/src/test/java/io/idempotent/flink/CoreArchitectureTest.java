package io.idempotent.flink;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.idempotent.flink.testutils.ApiRules;
import org.junit.jupiter.api.Test;

/**
 * The core's layers, bottom to top: {@code util}; {@code storage} (write durability, the shared
 * RocksDB handle, PostgreSQL connections); {@code stream} (partitions, records, ranges, the
 * streams); {@code checkpoint} (batch identities, the store SPI and the stores); {@code
 * destination}; {@code protocol} (the delivery engine). Each layer uses only those below it, and
 * none uses Flink.
 */
class CoreArchitectureTest {

    private static final JavaClasses CORE =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                    .importPackages(
                            "io.idempotent.flink.util",
                            "io.idempotent.flink.storage",
                            "io.idempotent.flink.stream",
                            "io.idempotent.flink.checkpoint",
                            "io.idempotent.flink.destination",
                            "io.idempotent.flink.protocol");

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("util")
                .definedBy("io.idempotent.flink.util..")
                .layer("storage")
                .definedBy("io.idempotent.flink.storage..")
                .layer("stream")
                .definedBy("io.idempotent.flink.stream..")
                .layer("checkpoint")
                .definedBy("io.idempotent.flink.checkpoint..")
                .layer("destination")
                .definedBy("io.idempotent.flink.destination..")
                .layer("protocol")
                .definedBy("io.idempotent.flink.protocol..")
                .whereLayer("protocol")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("destination")
                .mayOnlyBeAccessedByLayers("protocol")
                .whereLayer("checkpoint")
                .mayOnlyBeAccessedByLayers("destination", "protocol")
                .whereLayer("stream")
                .mayOnlyBeAccessedByLayers("checkpoint", "destination", "protocol")
                .whereLayer("storage")
                .mayOnlyBeAccessedByLayers("stream", "checkpoint", "destination", "protocol")
                .because("the protocol core reads top to bottom, each part on the ones below")
                .check(CORE);
    }

    @Test
    void everyPublicTypeSaysWhetherItIsPublicApi() {
        ApiRules.EVERY_PUBLIC_TYPE_SAYS_WHETHER_IT_IS_PUBLIC_API.check(CORE);
    }

    @Test
    void theCoreUsesNoFlinkClassesButAnnotations() {
        noClasses()
                .should()
                .dependOnClassesThat(
                        resideInAPackage("org.apache.flink..")
                                .and(not(resideInAPackage("org.apache.flink.annotation.."))))
                .because(
                        "the protocol must run unchanged in the Flink source and sink, in the"
                                + " operator tools and in a future low-latency mode")
                .check(CORE);
    }
}
