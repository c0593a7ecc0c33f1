package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.outbox;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.spi.OutboxRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract, part 5 of 11: the outbox: order, cut-off and deletion. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class OutboxContract extends StoreContract {

    @Test
    @DisplayName("outbox rows survive until deleted, and outbox(createdBefore, limit) returns the oldest first")
    void outboxLifecycle() {
        OutboxRecord o3 = outbox("o-3", "s-1", at(30));
        OutboxRecord o1 = outbox("o-1", "s-2", at(10));
        OutboxRecord o4 = outbox("o-4", "s-1", at(40));
        OutboxRecord o2 = outbox("o-2", "s-1", at(20));
        tx(t -> {
            t.addOutbox(List.of(o3, o1));
            return null;
        });
        tx(t -> {
            t.addOutbox(List.of(o4, o2));
            t.addOutbox(List.of());
            return null;
        });

        assertThat(theStore().outbox(FAR_FUTURE, 10)).containsExactly(o1, o2, o3, o4);
        assertThat(theStore().outbox(FAR_FUTURE, 2)).containsExactly(o1, o2);
        assertThat(theStore().outbox(at(30), 10)).as("created strictly before the cut-off").containsExactly(o1, o2);
        assertThat(theStore().outbox(at(10), 10)).isEmpty();
        assertThat(theStore().outbox(FAR_FUTURE, 10)).as("reading does not remove").hasSize(4);

        theStore().deleteOutbox(List.of("o-2", "o-unknown", "o-3"));
        assertThat(theStore().outbox(FAR_FUTURE, 10)).containsExactly(o1, o4);
        theStore().deleteOutbox(List.of());
        theStore().deleteOutbox(List.of("o-2"));
        assertThat(theStore().outbox(FAR_FUTURE, 10)).containsExactly(o1, o4);
    }

    @Test
    @DisplayName("outbox rows created at the same instant come back in insertion order")
    void outboxTies() {
        List<OutboxRecord> rows = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            rows.add(outbox("o-" + (char) ('z' - i), "s-1", at(1))); // ids sort against insertion order
        }
        tx(t -> {
            t.addOutbox(rows.subList(0, 6));
            return null;
        });
        tx(t -> {
            t.addOutbox(rows.subList(6, 12));
            return null;
        });

        assertThat(theStore().outbox(FAR_FUTURE, 100)).containsExactlyElementsOf(rows);
    }

    @Test
    @DisplayName("outbox headers survive a round trip, including separators, escapes, empty values and non-ASCII")
    void outboxHeaders() {
        Map<String, String> tricky = new LinkedHashMap<>();
        tricky.put("baton-message-id", "m-1");
        tricky.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        tricky.put("a=b", "c=d&e=f");
        tricky.put("with space", " leading and trailing ");
        tricky.put("percent", "%41%%2");
        tricky.put("plus", "1+1");
        tricky.put("escapes", "back\\slash \\n not a newline, \"quotes\" ; , :");
        tricky.put("newlines", "line1\nline2\r\n");
        tricky.put("empty", "");
        tricky.put("", "empty key");
        tricky.put("unicode ✓", "Zoë 🎷 中文");
        List<OutboxRecord> rows = List.of(outbox("o-1", "s-1", at(1), tricky), outbox("o-2", "s-1", at(2), Map.of()),
                outbox("o-3", "s-1", at(3), Map.of("", "")), outbox("o-4", "s-1", at(4), Map.of("k", "")));
        tx(t -> {
            t.addOutbox(rows);
            return null;
        });

        List<OutboxRecord> loaded = theStore().outbox(FAR_FUTURE, 10);
        assertThat(loaded).containsExactlyElementsOf(rows);
        assertThat(loaded.get(0).headers()).containsExactlyInAnyOrderEntriesOf(tricky);
    }
}
