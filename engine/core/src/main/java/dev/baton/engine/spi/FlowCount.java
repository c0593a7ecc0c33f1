package dev.baton.engine.spi;

import java.time.Instant;

/**
 * How much of one participant's work the store holds: commands in flight (sent, awaiting an answer: the sagas with a
 * {@link TimerKind#TIMEOUT} timer for it) and commands waiting for its capacity ({@link TimerKind#WAIT} timers).
 *
 * @param participant the participant's name
 * @param inFlight commands sent to it and not yet answered (or timed out)
 * @param waiting commands waiting for its capacity, ready or not
 * @param ready those of {@code waiting} whose wait may end now ({@code fireAt <= now})
 * @param oldestWaiting the earliest {@code fireAt} of the waiting commands; null when none waits
 * @since 0.4
 */
public record FlowCount(String participant, long inFlight, long waiting, long ready, Instant oldestWaiting) {}
