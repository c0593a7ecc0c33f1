package dev.baton.participant.internal;

import dev.baton.participant.ParticipantStoreException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/** The one class of the SDK that links against Flyway; loaded only when {@link SchemaSetup} found Flyway. */
final class FlywayMigration {
    private FlywayMigration() {}

    static void migrate(DataSource dataSource, String location, String historyTable, String productName,
                        String moduleHint) {
        try {
            Flyway.configure(FlywayMigration.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations("classpath:" + location)
                    .table(historyTable)
                    .baselineOnMigrate(true) // the service's own tables are already there: fine
                    .baselineVersion("0")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            String hint = message.contains("No database found") || message.contains("Unsupported Database")
                    ? " (Flyway has no support for " + productName + " on the classpath: add" + moduleHint.replace(" and", "")
                    + ")" : "";
            throw new ParticipantStoreException("participant store: migrating the schema from classpath:" + location
                    + " failed" + hint, e);
        }
    }
}
