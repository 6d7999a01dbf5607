package io.idempotent.flink.table;

import io.idempotent.flink.destination.jdbc.JdbcStatementBinder;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.TimestampType;

/** Sets a statement's parameters from a row's fields, in column order, as JDBC values. */
final class JdbcRowBinder implements JdbcStatementBinder<RowData> {

    private static final long serialVersionUID = 1L;

    /** The types {@link #value} maps to JDBC values. */
    private static final Set<LogicalTypeRoot> WRITABLE =
            EnumSet.of(
                    LogicalTypeRoot.CHAR,
                    LogicalTypeRoot.VARCHAR,
                    LogicalTypeRoot.BOOLEAN,
                    LogicalTypeRoot.TINYINT,
                    LogicalTypeRoot.SMALLINT,
                    LogicalTypeRoot.INTEGER,
                    LogicalTypeRoot.BIGINT,
                    LogicalTypeRoot.FLOAT,
                    LogicalTypeRoot.DOUBLE,
                    LogicalTypeRoot.DECIMAL,
                    LogicalTypeRoot.DATE,
                    LogicalTypeRoot.TIME_WITHOUT_TIME_ZONE,
                    LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE,
                    LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE,
                    LogicalTypeRoot.BINARY,
                    LogicalTypeRoot.VARBINARY);

    private final LogicalType[] types;

    private JdbcRowBinder(LogicalType[] types) {
        this.types = types;
    }

    /** Checks at planning time that every column has a JDBC mapping. */
    static JdbcRowBinder of(String table, DataType physicalType) {
        List<String> names = DataType.getFieldNames(physicalType);
        List<DataType> fields = DataType.getFieldDataTypes(physicalType);
        LogicalType[] types = new LogicalType[fields.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = fields.get(i).getLogicalType();
            if (!WRITABLE.contains(types[i].getTypeRoot())) {
                throw new ValidationException(
                        String.format(
                                "Sink table '%s': column '%s' has type %s, which 'destination'"
                                        + " = 'jdbc' cannot write; cast it to a string or a"
                                        + " number in the query.",
                                table, names.get(i), types[i]));
            }
        }
        return new JdbcRowBinder(types);
    }

    @Override
    public void bind(PreparedStatement statement, RowData row) throws SQLException {
        for (int i = 0; i < types.length; i++) {
            statement.setObject(i + 1, row.isNullAt(i) ? null : value(row, i, types[i]));
        }
    }

    private static Object value(RowData row, int i, LogicalType type) {
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return row.getString(i).toString();
            case BOOLEAN:
                return row.getBoolean(i);
            case TINYINT:
                return (short) row.getByte(i);
            case SMALLINT:
                return row.getShort(i);
            case INTEGER:
                return row.getInt(i);
            case BIGINT:
                return row.getLong(i);
            case FLOAT:
                return row.getFloat(i);
            case DOUBLE:
                return row.getDouble(i);
            case DECIMAL:
                DecimalType decimal = (DecimalType) type;
                return row.getDecimal(i, decimal.getPrecision(), decimal.getScale()).toBigDecimal();
            case DATE:
                return LocalDate.ofEpochDay(row.getInt(i));
            case TIME_WITHOUT_TIME_ZONE:
                return LocalTime.ofNanoOfDay(row.getInt(i) * 1_000_000L);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return row.getTimestamp(i, ((TimestampType) type).getPrecision()).toLocalDateTime();
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return row.getTimestamp(i, ((LocalZonedTimestampType) type).getPrecision())
                        .toInstant()
                        .atOffset(ZoneOffset.UTC);
            case BINARY:
            case VARBINARY:
                return row.getBinary(i);
            default:
                throw new IllegalStateException("no JDBC mapping for " + type);
        }
    }
}
