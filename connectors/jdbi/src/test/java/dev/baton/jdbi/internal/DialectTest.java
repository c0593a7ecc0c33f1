package dev.baton.jdbi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.SagaStoreException;
import java.sql.SQLException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DialectTest {

    @Test
    @DisplayName("the database product picks the dialect and its migration folder; others are refused by name")
    void forProductName() {
        assertThat(Dialect.forProductName("H2")).isEqualTo(Dialect.H2);
        assertThat(Dialect.H2.migrationLocation()).isEqualTo("db/baton/h2");
        assertThat(Dialect.forProductName("PostgreSQL")).isEqualTo(Dialect.POSTGRESQL);
        assertThat(Dialect.POSTGRESQL.migrationLocation()).isEqualTo("db/baton/postgresql");
        assertThatThrownBy(() -> Dialect.forProductName("MySQL")).isInstanceOf(SagaStoreException.class)
                .hasMessageContaining("'MySQL'");
    }

    @Test
    @DisplayName("PostgreSQL: a unique violation names its constraint on the first line; the Detail line's values do not count")
    void postgresConstraintName() {
        SQLException businessKey = new SQLException("ERROR: duplicate key value violates unique constraint"
                + " \"baton_saga_business_key_uq\"\n  Detail: Key (type, business_key)=(t, k) already exists.", "23505");
        SQLException id = new SQLException("ERROR: duplicate key value violates unique constraint \"baton_saga_pk\"\n"
                + "  Detail: Key (id)=(baton_saga_business_key_uq) already exists.", "23505");
        assertThat(Dialect.POSTGRESQL.violates(businessKey, "baton_saga_business_key_uq")).isTrue();
        assertThat(Dialect.POSTGRESQL.violates(id, "baton_saga_business_key_uq")).isFalse();
        assertThat(Dialect.POSTGRESQL.isUniqueViolation(id)).isTrue();
        assertThat(Dialect.POSTGRESQL.violates(new SQLException("baton_saga_business_key_uq", "23503"),
                "baton_saga_business_key_uq")).as("another SQLSTATE").isFalse();
    }
}
