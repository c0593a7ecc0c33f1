package dev.baton.participant;

import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Each test gets its own in-memory H2 database with the participant schema. */
abstract class H2Test {
    JdbiIdempotencyStore store;

    @BeforeEach
    void openStore() {
        store = JdbiIdempotencyStore.h2InMemory("participant-" + UUID.randomUUID());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    ParticipantRuntime runtime(CommandHandlers handlers) {
        return ParticipantRuntime.builder().handlers(handlers).store(store).build();
    }

    /** Rows in one of the service's own tables (or the SDK's). */
    int count(String table) {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Integer.class).one());
    }
}
