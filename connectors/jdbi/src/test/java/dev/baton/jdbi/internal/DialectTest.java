package dev.baton.jdbi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.SagaStoreException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DialectTest {

    @Test
    @DisplayName("the database product picks the dialect and its migration folder; others are refused by name")
    void forProductName() {
        assertThat(Dialect.forProductName("H2")).isEqualTo(Dialect.H2);
        assertThat(Dialect.H2.migrationLocation()).isEqualTo("db/baton/h2");
        assertThatThrownBy(() -> Dialect.forProductName("MySQL")).isInstanceOf(SagaStoreException.class)
                .hasMessageContaining("'MySQL'");
    }
}
