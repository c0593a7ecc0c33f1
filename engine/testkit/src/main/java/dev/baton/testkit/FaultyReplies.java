package dev.baton.testkit;

import dev.baton.engine.spi.InboundReply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * The way from the simulated participants back to the engine, through the injected {@link Faults}: replies may be
 * dropped, duplicated, delayed (on the kit's virtual clock) or reordered, and commands duplicated.
 */
final class FaultyReplies {
    private record InFlight(InboundReply reply, Instant deliverAt) {}

    private final ManualClock clock;
    private final List<InFlight> inFlight = new ArrayList<>();
    private Faults faults = Faults.none();
    private Random random = faults.random();

    FaultyReplies(ManualClock clock) {
        this.clock = clock;
    }

    /** Injects these faults from now on. */
    void use(Faults faults) {
        this.faults = faults;
        this.random = faults.random();
    }

    /** How many copies of a command the participant gets: 2 when the faults duplicate it. */
    int commandCopies() {
        return random.nextDouble() < faults.duplicateCommands() ? 2 : 1;
    }

    /** Puts a reply on its way, as the faults have it. */
    void send(InboundReply reply) {
        if (random.nextDouble() < faults.dropReplies()) {
            return;
        }
        int copies = random.nextDouble() < faults.duplicateReplies() ? 2 : 1;
        for (int c = 0; c < copies; c++) {
            Instant at = clock.instant();
            if (random.nextDouble() < faults.delayReplies() && !faults.maxDelay().isZero()) {
                at = at.plusMillis((long) (random.nextDouble() * faults.maxDelay().toMillis()));
            }
            InFlight f = new InFlight(reply, at);
            if (random.nextDouble() < faults.reorderReplies() && !inFlight.isEmpty()) {
                inFlight.add(random.nextInt(inFlight.size()), f);
            } else {
                inFlight.add(f);
            }
        }
    }

    /** Takes the replies due by now, in their order on the way. */
    List<InboundReply> takeDue() {
        List<InboundReply> due = new ArrayList<>();
        for (Iterator<InFlight> it = inFlight.iterator(); it.hasNext(); ) {
            InFlight f = it.next();
            if (!f.deliverAt().isAfter(clock.instant())) {
                due.add(f.reply());
                it.remove();
            }
        }
        return due;
    }

    /** When the next reply on its way is due; null when none is. */
    Instant nextAt() {
        Instant next = null;
        for (InFlight f : inFlight) {
            next = next == null || f.deliverAt().isBefore(next) ? f.deliverAt() : next;
        }
        return next;
    }
}
