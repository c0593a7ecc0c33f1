package dev.baton.participant.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.CommandHandlers;
import dev.baton.participant.HandlerContext;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.RecordedReply;
import dev.baton.participant.testkit.KitMessages.Charge;
import dev.baton.participant.testkit.KitMessages.Charged;
import dev.baton.participant.testkit.KitMessages.Refund;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;

/**
 * What every group of the {@link IdempotencyStoreCompatibilityKit} shares: the database under test behind the kit's
 * {@link KitDataSource}, the stores the kit opens on it (closed after each test), the service table the kit's
 * transactional handlers write to, and short forms of what the groups do. A group is an abstract subclass named
 * {@code ...Contract}; the kit runs each one as a {@code @Nested} class that hands over the data source.
 *
 * <p>Not thread-safe: JUnit creates one instance per test. Handlers and races run on other threads, and touch only
 * the thread-safe parts (the counters, the stores, the data source).
 */
abstract class KitContract {

    /** The participant the kit's handlers belong to. */
    static final String PARTICIPANT = "payment";

    /** The time on the runtimes' clocks unless a test sets another: microseconds, the precision a store keeps. */
    static final Instant NOW = Instant.parse("2031-04-05T06:07:08.123456Z");

    /** How many threads deliver one message at once in the stress races. */
    static final int RACERS = 6;

    /**
     * The service's own table, written by the kit's transactional handlers in the SDK's transaction; portable DDL. No
     * key on {@code message_id} on purpose: a second effect of one message must show as a second row, not as a unique
     * violation (which the SDK treats as contention and retries, hiding the second run).
     */
    static final String LEDGER_DDL = "CREATE TABLE kit_ledger (message_id VARCHAR(255) NOT NULL,"
            + " order_id VARCHAR(100) NOT NULL, amount_cents BIGINT NOT NULL)";

    /** The database under test: the same instance for the whole test, empty when it starts. Never closed here. */
    protected abstract DataSource dataSource();

    /** Opens a store on {@code dataSource} (the kit's wrapper of {@link #dataSource()}). */
    protected abstract JdbiIdempotencyStore openStore(DataSource dataSource);

    /** Handler runs that wrote to the ledger, counted in this JVM across every runtime of the test. */
    final AtomicInteger runs = new AtomicInteger();

    private KitDataSource database;
    private JdbiIdempotencyStore store;
    private JdbiIdempotencyStore secondStore;
    private final List<JdbiIdempotencyStore> opened = new ArrayList<>();

    @AfterEach
    void closeKitStores() {
        RuntimeException failure = null;
        for (JdbiIdempotencyStore s : opened) {
            try {
                s.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        opened.clear();
        if (database != null) {
            database.down(false);
        }
        if (failure != null) {
            throw failure;
        }
    }

    // ---------------------------------------------------------------- the database and its stores

    /** The kit's wrapper of {@link #dataSource()}: counts commits, sees waiting threads, can cut the database off. */
    KitDataSource database() {
        if (database == null) {
            DataSource real = dataSource();
            assertThat(real).as("dataSource() returned null").isNotNull();
            database = new KitDataSource(real);
        }
        return database;
    }

    /**
     * The store of the first service instance, opened on first use: the SDK's tables migrated, checked to be empty,
     * the kit's ledger table created next to them.
     */
    JdbiIdempotencyStore store() {
        if (store == null) {
            store = open();
            assertThat(count("baton_participant_inbox") + count("baton_participant_step"))
                    .as("dataSource() must return a fresh, empty database for each test, but the participant tables"
                            + " already hold rows")
                    .isZero();
            try {
                store.jdbi().useHandle(h -> h.execute(LEDGER_DDL));
            } catch (RuntimeException e) {
                throw new AssertionError("cannot create the kit's table kit_ledger; dataSource() must return a fresh,"
                        + " empty database for each test: " + e, e);
            }
            database.resetCommits();
        }
        return store;
    }

    /** A second store on the same database: a second instance of the same service. */
    JdbiIdempotencyStore secondStore() {
        store();
        if (secondStore == null) {
            secondStore = open();
            database.resetCommits();
        }
        return secondStore;
    }

    private JdbiIdempotencyStore open() {
        JdbiIdempotencyStore s = openStore(database());
        assertThat(s).as("openStore returned null").isNotNull();
        opened.add(s);
        s.retainFor(null); // no purge but the kit's own calls
        return s;
    }

    /** A runtime on {@link #store()}, its clock fixed at {@link #NOW}. */
    ParticipantRuntime runtime(CommandHandlers handlers) {
        return runtime(handlers, store(), NOW);
    }

    /** A runtime on {@code on}, its clock fixed at {@code now}. */
    ParticipantRuntime runtime(CommandHandlers handlers, JdbiIdempotencyStore on, Instant now) {
        return ParticipantRuntime.builder().handlers(handlers).store(on).clock(Clock.fixed(now, ZoneOffset.UTC)).build();
    }

    /** The record of {@link #PARTICIPANT}'s answer to {@code messageId}, if any. */
    Optional<RecordedReply> find(String messageId) {
        return store().find(PARTICIPANT, messageId);
    }

    /** Rows of a table, read on a connection of its own. */
    int count(String table) {
        return Math.toIntExact(single("SELECT COUNT(*) FROM " + table));
    }

    /**
     * The one number {@code sql} selects, read on a new connection of its own: not through JDBI, which hands a
     * thread that already has a handle open (a handler's) that same handle.
     */
    long single(String sql, String... parameters) {
        store();
        try (Connection c = database().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as(sql).isTrue();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed: " + e, e);
        }
    }

    /**
     * Blocks until {@code n} threads other than the caller are inside a statement (in a race, waiting for a lock the
     * caller's transaction holds); false when they are not after {@link KitRace#WAIT_GUARD_SECONDS}.
     */
    boolean othersWaiting(int n) {
        return KitRace.until(() -> database().othersInStatement() >= n);
    }

    // ---------------------------------------------------------------- the service's ledger

    /** A transactional handler's effect: one row in the ledger, in the SDK's transaction; counts a run. */
    Outcome book(HandlerContext ctx, String orderId, long cents) {
        write(ctx.handle(), ctx.messageId(), orderId, cents);
        runs.incrementAndGet();
        return Outcome.success();
    }

    static void write(Handle h, String messageId, String orderId, long cents) {
        h.createUpdate("INSERT INTO kit_ledger (message_id, order_id, amount_cents) VALUES (:m, :o, :a)")
                .bind("m", messageId).bind("o", orderId).bind("a", cents).execute();
    }

    int ledgerRows() {
        return count("kit_ledger");
    }

    /** Ledger rows written by the handling of {@code messageId}. */
    int ledgerRows(String messageId) {
        return Math.toIntExact(single("SELECT COUNT(*) FROM kit_ledger WHERE message_id = ?", messageId));
    }

    /** The ledger's balance per order, read on a new connection of its own. */
    Map<String, Long> balances() {
        store();
        String sql = "SELECT order_id, SUM(amount_cents) FROM kit_ledger GROUP BY order_id ORDER BY order_id";
        Map<String, Long> balances = new LinkedHashMap<>();
        try (Connection c = database().getConnection(); PreparedStatement s = c.prepareStatement(sql);
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                balances.put(rs.getString(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed: " + e, e);
        }
        return balances;
    }

    // ---------------------------------------------------------------- handlers

    /**
     * The kit's usual participant: a charge books its amount and answers a {@link Charged} that differs on every run
     * (a negative amount answers RETRY_LATER after writing); a refund books minus 100.
     */
    CommandHandlers ledgerHandlers() {
        return CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    book(ctx, cmd.orderId(), cmd.amountCents());
                    return cmd.amountCents() < 0 ? Outcome.retryLater("card processor busy") : Outcome.success(charged());
                })
                .on(Refund.class, (cmd, ctx) -> book(ctx, cmd.orderId(), -100))
                .build();
    }

    /** A reply no second run repeats. */
    static Charged charged() {
        return new Charged("ch-" + UUID.randomUUID(), "authorised", UUID.randomUUID().toString());
    }
}
