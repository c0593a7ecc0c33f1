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

    @Test
    @DisplayName("an entry's payload comes back as appended, in the whole history and in a page of it")
    void historyPayloads() {
        insert(saga("s-p"));
        String large = "{\"lines\":\"" + "x".repeat(70_000) + "\"}";
        HistoryRecord sent = withPayload(history("s-p", 1, "COMMAND_SENT", "charge", "attempt 1 to payment"),
                "{\"orderId\":\"o-1\",\"amount\":12.5,\"note\":\"détail ✓\"}");
        HistoryRecord reply = withPayload(history("s-p", 2, "REPLY_RECEIVED", "charge", "SUCCESS"), large);
        HistoryRecord none = history("s-p", 3, "STEP_COMPLETED", "charge", null);
        tx(t -> {
            t.appendHistory(List.of(sent, reply, none));
            return null;
        });

        assertThat(withoutSeq(theStore().history(SagaId.of("s-p")))).containsExactly(sent, reply, none);
        assertThat(withoutSeq(theStore().historyPage(SagaId.of("s-p"), Long.MAX_VALUE, 2).items()))
                .containsExactly(reply, none);
    }

    private static HistoryRecord withPayload(HistoryRecord h, String payload) {
        return new HistoryRecord(h.seq(), h.sagaId(), h.at(), h.kind(), h.step(), h.detail(), payload);
    }
}
