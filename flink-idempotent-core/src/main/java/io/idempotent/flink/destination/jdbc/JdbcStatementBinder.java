package io.idempotent.flink.destination.jdbc;

import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.apache.flink.annotation.PublicEvolving;

/** Sets the parameters of the insert statement from one element. */
@PublicEvolving
@FunctionalInterface
public interface JdbcStatementBinder<T> extends Serializable {

    void bind(PreparedStatement statement, T element) throws SQLException;
}
