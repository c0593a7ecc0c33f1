package dev.baton.engine.internal;

import io.opentelemetry.api.OpenTelemetry;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.Codec;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.Transport;
import dev.baton.engine.FlowSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything an engine is built from, validated by {@link dev.baton.engine.SagaEngineBuilder}; the defaults and their
 * meaning are documented on the builder's setters.
 *
 * @param endedRetention null: ended sagas are kept
 * @param failedRetention null: FAILED sagas are kept
 * @param openTelemetry where the engine's spans go; {@link OpenTelemetry#noop()}: tracing off
 * @param liveSettingsPoll how often the node reads the live settings and refreshes its entry in the node list
 * @param historyPayloads whether history entries keep the command sent or the reply received
 * @param exceptionMessagesInReasons whether a user exception's message follows its class and error id in reasons
 */
public record EngineSettings(Definitions definitions, SagaStore store, Transport transport, Codec codec, Clock clock,
                             Supplier<SagaId> ids, SagaListener listener, CommandGate gate,
                             Duration timerPollInterval, int timerBatchSize, Duration sweepInterval, Duration sweepAge,
                             int conflictRetries, Duration timeoutGrace, Duration lease, Duration inboxRetention,
                             Duration endedRetention, Duration failedRetention, FlowSettings flow, String nodeName,
                             boolean exceptionMessagesInReasons, OpenTelemetry openTelemetry,
                             Duration liveSettingsPoll, boolean historyPayloads) {
    public EngineSettings {
        Objects.requireNonNull(definitions, "definitions");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(openTelemetry, "openTelemetry");
    }
}
