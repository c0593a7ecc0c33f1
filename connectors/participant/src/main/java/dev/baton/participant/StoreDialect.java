package dev.baton.participant;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What the participant store must know about one database product: how to recognise it and where the scripts that
 * create the SDK's two tables in its types live. The SQL the SDK runs is the same on every database, and asks for
 * little: {@code SELECT ... FOR UPDATE}, savepoints, a unique-key violation reported as SQLSTATE {@code 23505}
 * while a concurrent insert of the same key waits for the other transaction, and {@code TIMESTAMP WITH TIME ZONE}
 * columns bound and read as {@link java.time.OffsetDateTime}.
 *
 * <p>H2 2.x and PostgreSQL (11 and later) come built in, tested by the idempotency-store compatibility kit
 * ({@code baton-participant-testkit}). For another database, implement this interface with the location of your own
 * Flyway scripts (written after {@code db/baton-participant/postgresql/V1__participant_inbox.sql}), pass it to
 * {@link JdbiIdempotencyStore.Builder#dialect(StoreDialect)}, and run the kit against it.
 *
 * <pre>{@code
 * StoreDialect mariadb = StoreDialect.of("MariaDB", "db/my-service/baton-participant");
 * JdbiIdempotencyStore store = JdbiIdempotencyStore.builder(dataSource).dialect(mariadb).build();
 * }</pre>
 *
 * @since 0.6
 */
public interface StoreDialect {

    /** The database's product name as its JDBC driver reports it ({@code DatabaseMetaData.getDatabaseProductName}). */
    String productName();

    /**
     * The classpath folder of this database's Flyway migrations of the SDK's tables, without {@code classpath:}; for
     * example {@code db/baton-participant/postgresql}.
     */
    String migrationLocation();

    /** True when this dialect serves the database whose driver reports {@code productName}; ignores case. */
    default boolean matches(String productName) {
        return productName != null && productName().equalsIgnoreCase(productName.trim());
    }

    /** H2 2.x, scripts under {@code db/baton-participant/h2}. */
    static StoreDialect h2() {
        return Builtin.H2;
    }

    /** PostgreSQL, scripts under {@code db/baton-participant/postgresql}. */
    static StoreDialect postgresql() {
        return Builtin.POSTGRESQL;
    }

    /** The dialects that come with the SDK. */
    static List<StoreDialect> builtIn() {
        return List.of(Builtin.values());
    }

    /** The built-in dialect for the database whose driver reports {@code productName}, if there is one. */
    static Optional<StoreDialect> forProduct(String productName) {
        return builtIn().stream().filter(d -> d.matches(productName)).findFirst();
    }

    /**
     * A dialect for a database the SDK does not know, with your own scripts.
     *
     * @param productName as the driver reports it, for example {@code MariaDB}
     * @param migrationLocation classpath folder of the Flyway scripts, for example {@code db/my-service/baton}
     */
    static StoreDialect of(String productName, String migrationLocation) {
        Objects.requireNonNull(productName, "productName");
        Objects.requireNonNull(migrationLocation, "migrationLocation");
        String location = migrationLocation.startsWith("classpath:")
                ? migrationLocation.substring("classpath:".length()) : migrationLocation;
        return new StoreDialect() {
            @Override
            public String productName() {
                return productName;
            }

            @Override
            public String migrationLocation() {
                return location;
            }

            @Override
            public String toString() {
                return "StoreDialect[" + productName + ", " + location + "]";
            }
        };
    }

    /** The dialects that come with the SDK. */
    enum Builtin implements StoreDialect {
        H2("H2"),
        POSTGRESQL("PostgreSQL");

        private final String product;

        Builtin(String product) {
            this.product = product;
        }

        @Override
        public String productName() {
            return product;
        }

        @Override
        public String migrationLocation() {
            return "db/baton-participant/" + name().toLowerCase(Locale.ROOT);
        }
    }
}
