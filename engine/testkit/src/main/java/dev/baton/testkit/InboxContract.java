package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract, part 3 of 11: the inbox: each message id is received once. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class InboxContract extends StoreContract {

    @Test
    @DisplayName("markReceived returns false for a message id seen before, in the same or an earlier transaction")
    void inbox() {
        tx(t -> {
            assertThat(t.markReceived("m-1", at(0))).isTrue();
            assertThat(t.markReceived("m-1", at(0))).isFalse();
            assertThat(t.markReceived("m-2", at(0))).isTrue();
            return null;
        });

        assertThat(markReceived("m-1", at(1))).isFalse();
        assertThat(markReceived("m-2", at(1))).isFalse();
        assertThat(markReceived("m-3", at(1))).isTrue();
    }

    @Test
    @DisplayName("of concurrent transactions marking the same message id exactly one records it first")
    void concurrentInbox() {
        for (int round = 0; round < 5; round++) {
            String messageId = "m-race-" + round;
            List<StoreKitRace.Outcome<Boolean>> outcomes = StoreKitRace.race(RACERS,
                    () -> tx(t -> t.markReceived(messageId, at(0))));

            assertThat(outcomes).noneMatch(StoreKitRace.Outcome::failed);
            assertThat(outcomes).filteredOn(o -> o.value()).as("round %d", round).hasSize(1);
        }
    }

    @Test
    @DisplayName("purgeInbox removes only entries received before the cut-off and returns how many")
    void purgeInbox() {
        tx(t -> {
            t.markReceived("old-1", at(0));
            t.markReceived("old-2", at(5));
            t.markReceived("at-cut-off", at(10));
            t.markReceived("new", at(20));
            return null;
        });

        assertThat(theStore().purgeInbox(at(10))).isEqualTo(2);
        assertThat(theStore().purgeInbox(at(10))).isZero();

        assertThat(markReceived("old-1", at(30))).as("purged ids are new again").isTrue();
        assertThat(markReceived("old-2", at(30))).isTrue();
        assertThat(markReceived("at-cut-off", at(30))).as("kept: received exactly at the cut-off").isFalse();
        assertThat(markReceived("new", at(30))).isFalse();
    }
}
