/**
 * The relational {@link dev.baton.engine.spi.SagaStore} over JDBI and HikariCP: {@link dev.baton.jdbi.JdbiSagaStore}
 * and its {@link dev.baton.jdbi.JdbiStoreOptions}. H2 is the embedded default; the schema is created and upgraded by
 * Flyway from scripts under {@code db/baton/<database>/}.
 */
package dev.baton.jdbi;
