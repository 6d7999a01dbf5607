package io.idempotent.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.idempotent.flink.testutils.DocumentedCommands;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SQL the docs show is accepted as written: each {@code ```sql} block's tables are created and
 * its {@code INSERT} is planned, which runs the table factory's validation of every option and
 * column (the servers it names are not contacted while planning).
 */
class DocumentedSqlTest {

    private static final Pattern SET = Pattern.compile("SET '([^']+)' = '([^']*)'");

    static List<String[]> blocks() {
        return DocumentedCommands.codeBlocks("sql");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blocks")
    void isAcceptedAsWritten(String where, String sql) {
        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        if (sql.strip().startsWith("'")) {
            // Options of a Kafka source table, shown alone: in such a table they must plan.
            tables.executeSql(
                    "CREATE TABLE t (payload STRING) WITH ('connector' = 'idempotent',"
                            + " 'stream' = 'kafka', 'stream.kafka.bootstrap-servers' = 'b:9092',"
                            + " 'stream.kafka.topic' = 't', 'format' = 'raw', "
                            + sql
                            + ")");
            assertThat(tables.explainSql("SELECT * FROM t")).as(where).contains("TableSourceScan");
            return;
        }
        int inserts = 0;
        for (String statement : sql.split(";")) {
            String text = statement.strip();
            if (text.isEmpty()) {
                continue;
            }
            Matcher set = SET.matcher(text);
            if (set.matches()) {
                // The SQL client's SET: here the same setting of the table environment.
                tables.getConfig().getConfiguration().setString(set.group(1), set.group(2));
            } else if (text.toUpperCase(java.util.Locale.ROOT).startsWith("INSERT")) {
                assertThat(tables.explainSql(text)).as(where).contains("LogicalSink");
                inserts++;
            } else {
                tables.executeSql(text);
            }
        }
        assertThat(inserts).as("%s inserts into a table", where).isPositive();
    }
}
