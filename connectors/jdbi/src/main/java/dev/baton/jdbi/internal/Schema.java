package dev.baton.jdbi.internal;

import dev.baton.engine.SagaStoreException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/** What the store does once when it opens: find the database's dialect and migrate Baton's tables. Stateless. */
public final class Schema {

    private Schema() {}

    /**
     * The dialect of the database behind {@code jdbi}, read from the connection's metadata.
     *
     * @throws SagaStoreException when the database cannot be reached or is not one the store supports
     */
    public static Dialect detectDialect(Jdbi jdbi) {
        try {
            return Dialect.forProductName(
                    jdbi.withHandle(h -> h.getConnection().getMetaData().getDatabaseProductName()));
        } catch (JdbiException | java.sql.SQLException e) {
            throw SqlErrors.failure("detecting the database", e);
        }
    }

    /**
     * Creates or upgrades Baton's tables with Flyway, from the dialect's migration scripts; the history table is
     * {@code baton_schema_history}. A schema holding other tables is baselined at version 0 first.
     *
     * @throws SagaStoreException when a migration fails
     */
    public static void migrate(DataSource dataSource, Dialect dialect) {
        try {
            Flyway.configure(Schema.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations("classpath:" + dialect.migrationLocation())
                    .table("baton_schema_history")
                    .baselineOnMigrate(true) // a schema holding the application's own tables is fine
                    .baselineVersion("0")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new SagaStoreException("saga store: migrating the schema from " + dialect.migrationLocation()
                    + " failed", e);
        }
    }
}
