package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.history;
import static dev.baton.testkit.StoreKitFixtures.saga;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.HistoryRecord;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract, part 4 of 11: the history of a saga: append order, one sequence per saga. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class HistoryContract extends StoreContract {

    @Test
    @DisplayName("history comes back oldest first, with a seq the store assigned that increases per saga")
    void historyOrder() {
        insert(saga("s-a"), saga("s-b"));
        tx(t -> {
            t.appendHistory(List.of(history("s-a", 1, "STARTED", null, null),
                    history("s-b", 1, "STARTED", null, null),
                    history("s-a", 2, "COMMAND_SENT", "reserve-credit", "to customers")));
            return null;
        });
        tx(t -> {
            t.appendHistory(List.of(history("s-a", 3, "STEP_COMPLETED", "reserve-credit", "détail ✓")));
            t.appendHistory(List.of());
            t.appendHistory(List.of(history("s-b", 1, "COMMAND_SENT", "approve", null),
                    history("s-a", 3, "COMMAND_SENT", "approve", null)));
            return null;
        });

        List<HistoryRecord> a = theStore().history(SagaId.of("s-a"));
        assertThat(a).extracting(HistoryRecord::kind)
                .containsExactly(HistoryKind.STARTED, HistoryKind.COMMAND_SENT, HistoryKind.STEP_COMPLETED,
                        HistoryKind.COMMAND_SENT);
        assertThat(a).extracting(HistoryRecord::seq).isSorted().doesNotHaveDuplicates();
        assertThat(a.get(0).seq()).as("seq is assigned by the store").isNotZero();
        assertThat(withoutSeq(a)).containsExactly(history("s-a", 1, "STARTED", null, null),
                history("s-a", 2, "COMMAND_SENT", "reserve-credit", "to customers"),
                history("s-a", 3, "STEP_COMPLETED", "reserve-credit", "détail ✓"),
                history("s-a", 3, "COMMAND_SENT", "approve", null));

        assertThat(withoutSeq(theStore().history(SagaId.of("s-b")))).containsExactly(
                history("s-b", 1, "STARTED", null, null), history("s-b", 1, "COMMAND_SENT", "approve", null));
        assertThat(theStore().history(SagaId.of("s-none"))).isEmpty();
    }
}
