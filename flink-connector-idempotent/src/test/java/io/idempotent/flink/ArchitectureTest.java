package io.idempotent.flink;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.idempotent.flink.testutils.ApiRules;
import java.util.Set;
import java.util.TreeSet;
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

    /**
     * The public API, core and connector: what a user's job, table or program names, and the SPIs a
     * user implements (streams, destinations). A type joins it on purpose, here.
     */
    private static final Set<String> PUBLIC_API =
            Set.of(
                    // The Flink connector
                    "origin.Origin",
                    "origin.Traced",
                    "source.IdempotentSource",
                    "source.IdempotentSourceBuilder",
                    "source.IdempotentSourceOptions",
                    "source.StartingPosition",
                    "sink.DeadLetter",
                    "sink.DeliveryMode",
                    "sink.IdempotentSink",
                    "sink.IdempotentSinkBuilder",
                    "sink.IdempotentSinkOptions",
                    "sink.aligned.CheckpointAlignedSink",
                    "sink.aligned.CheckpointAlignedSinkBuilder",
                    "table.IdempotentTableOptions",
                    // Streams
                    "stream.PartitionedStream",
                    "stream.PartitionedStreamFactory",
                    "stream.PartitionRecord",
                    "stream.SequenceRange",
                    "stream.StreamPartition",
                    "stream.kafka.KafkaPartitionedStream",
                    "stream.local.LocalStream",
                    "stream.local.LocalStream$NewRecord",
                    // Checkpoint stores
                    "checkpoint.CheckpointStoreFactory",
                    "checkpoint.PartitionCheckpointStore",
                    "checkpoint.rocksdb.RocksDbCheckpointStore",
                    "checkpoint.jdbc.PostgresCheckpointStore",
                    "checkpoint.jdbc.PostgresCheckpointStoreBuilder",
                    "storage.WriteDurability",
                    // Destinations
                    "destination.Batch",
                    "checkpoint.BatchId",
                    "destination.DestinationFactory",
                    "destination.ElementEncoder",
                    "destination.IdempotentDestination",
                    "destination.PoisonElementException",
                    "destination.RefusedBatchException",
                    "destination.SendOutcome",
                    "destination.file.FileDestination",
                    "destination.http.HttpDestination",
                    "destination.http.HttpDestinationBuilder",
                    "destination.jdbc.JdbcDestination",
                    "destination.jdbc.JdbcDestinationBuilder",
                    "destination.jdbc.JdbcStatementBinder",
                    // The protocol without Flink (README: "Use it from Java")
                    "protocol.DeliveryCounts",
                    "protocol.DeliveryListener",
                    "protocol.PartitionPump",
                    "protocol.RecordProcessor");

    @Test
    void thePublicApiIsTheListedTypes() {
        JavaClasses all =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TEST_FIXTURES)
                        .importPackages("io.idempotent.flink");
        Set<String> annotated = new TreeSet<>();
        for (JavaClass type : all) {
            if (type.isAnnotatedWith(PublicEvolving.class)) {
                annotated.add(type.getName().substring("io.idempotent.flink.".length()));
            }
        }
        assertThat(annotated).containsExactlyInAnyOrderElementsOf(PUBLIC_API);
    }

    /**
     * The user guide's "What you use" names every public type (builders as "and its builder") and
     * only public types.
     */
    @Test
    void theUserGuideListsThePublicApi() throws Exception {
        String guide =
                java.nio.file.Files.readString(
                        java.nio.file.Path.of("..", "docs", "user-guide.md"));
        String section =
                guide.substring(
                        guide.indexOf("## What you use"), guide.indexOf("## Three choices"));
        Set<String> simpleNames = new TreeSet<>();
        for (String type : PUBLIC_API) {
            simpleNames.add(type.substring(type.lastIndexOf('.') + 1));
        }
        var named = java.util.regex.Pattern.compile("`([A-Z][A-Za-z]+)`").matcher(section);
        Set<String> listed = new TreeSet<>();
        while (named.find()) {
            listed.add(named.group(1));
        }
        assertThat(simpleNames).containsAll(listed);
        for (String name : simpleNames) {
            if (!name.endsWith("Builder") && !name.contains("$") && !name.endsWith("Factory")) {
                assertThat(listed)
                        .as("the user guide's 'What you use' lists " + name)
                        .contains(name);
            }
        }
    }

    @Test
    void everyPublicTypeSaysWhetherItIsPublicApi() {
        ApiRules.EVERY_PUBLIC_TYPE_SAYS_WHETHER_IT_IS_PUBLIC_API.check(MAIN);
    }
}
