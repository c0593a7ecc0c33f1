package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.T0;
import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.history;
import static dev.baton.testkit.StoreKitFixtures.nextVersion;
import static dev.baton.testkit.StoreKitFixtures.outbox;
import static dev.baton.testkit.StoreKitFixtures.saga;
import static dev.baton.testkit.StoreKitFixtures.timer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaId;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract, part 7 of 11: leases that share work between several engine nodes. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class LeasesContract extends StoreContract {

    @Test
    @DisplayName("leaseDueTimers: due timers of the given kinds, soonest first, at most limit; leased ones are skipped until the lease ends")
    void leaseDueTimers() {
        TimerRecord a = timer("s-1", TimerKind.TIMEOUT, "a", at(10));
        TimerRecord b = timer("s-2", TimerKind.RETRY, "b", at(20));
        TimerRecord c = timer("s-3", TimerKind.GIVE_UP, "c", at(30));
        TimerRecord later = timer("s-4", TimerKind.RETRY, "d", at(31));
        tx(t -> {
            for (TimerRecord timer : List.of(c, later, a, b)) {
                t.setTimer(timer);
            }
            return null;
        });
        Set<TimerKind> all = EnumSet.allOf(TimerKind.class);

        assertThat(theStore().leaseDueTimers(at(30), EnumSet.of(TimerKind.RETRY, TimerKind.GIVE_UP), at(100), 10))
                .as("kinds filter").containsExactly(b, c);
        assertThat(theStore().leaseDueTimers(at(30), all, at(100), 10)).as("b and c are leased").containsExactly(a);
        assertThat(theStore().leaseDueTimers(at(30), all, at(100), 10)).as("all due timers are leased").isEmpty();
        assertThat(theStore().dueTimers(at(30), 10)).as("leasing does not remove").containsExactly(a, b, c);

        assertThat(theStore().leaseDueTimers(at(99), all, at(200), 10)).as("leases still held at 99 s").containsExactly(later);
        assertThat(theStore().leaseDueTimers(at(100), all, at(200), 2)).as("leases ended at 100 s, limit 2")
                .containsExactly(a, b);
        assertThat(theStore().leaseDueTimers(at(100), all, at(200), 10)).containsExactly(c);
        assertThat(theStore().leaseDueTimers(at(30), all, at(100), 0)).isEmpty();
        assertThat(theStore().leaseDueTimers(at(300), Set.of(), at(400), 10)).isEmpty();
    }

    @Test
    @DisplayName("a leased timer can still be claimed once; replacing it clears its lease")
    void leasedTimerClaimAndReplace() {
        TimerRecord first = timer("s-1", TimerKind.RETRY, "tok-1", at(10));
        tx(t -> {
            t.setTimer(first);
            return null;
        });
        Set<TimerKind> all = EnumSet.allOf(TimerKind.class);
        assertThat(theStore().leaseDueTimers(at(10), all, at(100), 10)).containsExactly(first);

        TimerRecord replacement = timer("s-1", TimerKind.RETRY, "tok-2", at(20));
        tx(t -> {
            t.setTimer(replacement);
            return null;
        });
        assertThat(claim(first)).as("the leased timer was replaced").isFalse();
        assertThat(theStore().leaseDueTimers(at(20), all, at(100), 10)).as("the replacement is not leased")
                .containsExactly(replacement);
        assertThat(claim(replacement)).as("a leased timer is claimed as usual").isTrue();
        assertThat(claim(replacement)).isFalse();
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).isEmpty();
    }

    @Test
    @DisplayName("leaseOutbox: rows created before the cut-off, oldest first, at most limit; leased rows are skipped until the lease ends")
    void leaseOutbox() {
        OutboxRecord o1 = outbox("o-1", "s-1", at(10));
        OutboxRecord o2 = outbox("o-2", "s-2", at(20));
        OutboxRecord o3 = outbox("o-3", "s-1", at(30));
        tx(t -> {
            t.addOutbox(List.of(o3, o1, o2));
            return null;
        });

        assertThat(theStore().leaseOutbox(at(30), at(40), at(100), 1)).containsExactly(o1);
        assertThat(theStore().leaseOutbox(at(30), at(40), at(100), 10)).as("o-1 leased; o-3 not before the cut-off")
                .containsExactly(o2);
        assertThat(theStore().leaseOutbox(FAR_FUTURE, at(40), at(100), 10)).containsExactly(o3);
        assertThat(theStore().leaseOutbox(FAR_FUTURE, at(99), at(100), 10)).isEmpty();
        assertThat(theStore().outbox(FAR_FUTURE, 10)).as("leasing does not remove").containsExactly(o1, o2, o3);

        theStore().deleteOutbox(List.of("o-2"));
        assertThat(theStore().leaseOutbox(FAR_FUTURE, at(100), at(200), 10)).as("leases ended at 100 s")
                .containsExactly(o1, o3);
        assertThat(theStore().leaseOutbox(FAR_FUTURE, at(300), at(400), 0)).isEmpty();
    }

    @Test
    @DisplayName("threads leasing timers and outbox rows together get disjoint batches that cover everything")
    void concurrentLeases() {
        int timers = 200;
        tx(t -> {
            for (int i = 0; i < timers; i++) {
                t.setTimer(timer("s-" + i, TimerKind.RETRY, "tok-" + i, at(i % 7)));
            }
            List<OutboxRecord> rows = new ArrayList<>();
            for (int i = 0; i < timers; i++) {
                rows.add(outbox("o-" + i, "s-" + i, at(i % 7)));
            }
            t.addOutbox(rows);
            return null;
        });
        Set<TimerKind> all = EnumSet.allOf(TimerKind.class);

        List<StoreKitRace.Outcome<List<String>>> outcomes = StoreKitRace.race(RACERS, () -> {
            List<String> mine = new ArrayList<>();
            for (List<TimerRecord> batch; !(batch = theStore().leaseDueTimers(at(10), all, at(100), 7)).isEmpty(); ) {
                batch.forEach(t -> mine.add("timer " + t.sagaId().value()));
            }
            for (List<OutboxRecord> batch; !(batch = theStore().leaseOutbox(at(10), at(10), at(100), 7)).isEmpty(); ) {
                batch.forEach(o -> mine.add("outbox " + o.id()));
            }
            return mine;
        });

        assertThat(outcomes).noneMatch(StoreKitRace.Outcome::failed);
        List<String> leased = outcomes.stream().flatMap(o -> o.value().stream()).toList();
        assertThat(leased).as("no timer or row leased twice").doesNotHaveDuplicates().hasSize(2 * timers);
    }

    @Test
    @DisplayName("loadForUpdate reads a saga inside a transaction like load, and finds nothing for an unknown id")
    void loadForUpdate() {
        SagaRecord s = saga("s-1");
        tx(t -> {
            t.insert(s);
            return null;
        });

        Optional<SagaRecord> found = tx(t -> t.loadForUpdate(s.id()));
        Optional<SagaRecord> unknown = tx(t -> t.loadForUpdate(SagaId.of("s-unknown")));
        assertThat(found).contains(s);
        assertThat(unknown).isEmpty();
        SagaRecord next = nextVersion(s);
        tx(t -> {
            t.loadForUpdate(s.id());
            t.update(next);
            return null;
        });
        assertThat(theStore().find(s.id())).contains(next);
    }

    @Test
    @DisplayName("reads outside transactions see what committed transactions wrote")
    void readsOutsideTransactions() {
        SagaRecord s = saga("s-1");
        Optional<SagaRecord> before = theStore().find(s.id());
        tx(t -> {
            t.insert(s);
            t.appendHistory(List.of(history("s-1", 0, "STARTED", null, null)));
            return null;
        });

        assertThat(before).isEmpty();
        assertThat(theStore().find(s.id())).contains(s);
        assertThat(theStore().history(s.id())).hasSize(1);
        assertThat(T0).as("fixture sanity: instants are in microseconds").isEqualTo(T0.truncatedTo(ChronoUnit.MICROS));
    }
}
