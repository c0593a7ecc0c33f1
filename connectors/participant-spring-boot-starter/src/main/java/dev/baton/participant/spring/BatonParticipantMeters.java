package dev.baton.participant.spring;

import dev.baton.kafka.common.LoopHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of each participant's command loop, tagged {@code participant}: {@code baton.participant.loop.running}
 * (1 or 0), {@code baton.participant.loop.failures} (consecutive failed polls), {@code baton.participant.loop.restarts}
 * (consumers replaced) and {@code baton.participant.loop.silence} (seconds since the last successful poll).
 *
 * @since 0.6
 */
public final class BatonParticipantMeters implements MeterBinder {

    private final BatonParticipants participants;
    private final Clock clock;

    public BatonParticipantMeters(BatonParticipants participants, Clock clock) {
        this.participants = participants;
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String name : participants.participants()) {
            gauge(registry, "baton.participant.loop.running", name, "1 while the participant's command loop runs",
                    null, l -> l == null ? 0 : 1);
            gauge(registry, "baton.participant.loop.failures", name, "consecutive failed polls of the command loop",
                    null, l -> l == null ? 0 : l.consecutiveFailures());
            gauge(registry, "baton.participant.loop.restarts", name, "Kafka consumers replaced by the command loop",
                    null, l -> l == null ? 0 : l.restarts());
            gauge(registry, "baton.participant.loop.silence", name, "time since the last successful poll",
                    "seconds", l -> l == null ? 0 : l.silence(clock.instant()).toMillis() / 1000.0);
        }
    }

    private void gauge(MeterRegistry registry, String meter, String participant, String description, String unit,
                       ToDoubleFunction<LoopHealth> value) {
        Gauge.builder(meter, participants, p -> value.applyAsDouble(p.loops().get(participant)))
                .tag("participant", participant)
                .description(description)
                .baseUnit(unit)
                .register(registry);
    }
}
