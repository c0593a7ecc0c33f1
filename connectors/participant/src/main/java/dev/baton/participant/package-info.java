/**
 * The participant SDK: what a service (order, inventory, payment, ...) adds to take part in Baton sagas.
 *
 * <ul>
 * <li>{@link dev.baton.participant.CommandHandlers}: which handler answers which command type, and what to answer
 *     when a handler throws ({@link dev.baton.participant.ExceptionPolicy}).</li>
 * <li>{@link dev.baton.participant.Outcome}: what a handler decides: success (with an optional reply), failure,
 *     or retry later.</li>
 * <li>{@link dev.baton.participant.JdbiIdempotencyStore}: the record of answered commands in the service's own
 *     database, written in the same transaction as the handler's own changes.</li>
 * <li>{@link dev.baton.participant.ParticipantRuntime}: the transport-neutral seam. A transport binding hands it each
 *     {@link dev.baton.participant.IncomingCommand} and acts on the {@link dev.baton.participant.HandlingResult}:
 *     send the {@link dev.baton.participant.Reply}, dead-letter the {@link dev.baton.participant.Rejected}, redeliver
 *     the {@link dev.baton.participant.Unavailable}.</li>
 * <li>The names on the wire (headers, {@code CommandKind}, {@code ReplyOutcome}) come from {@code dev.baton.protocol}
 *     (module {@code baton-protocol}), which the engine shares.</li>
 * </ul>
 *
 * <p>Packages named {@code internal} are not API.
 */
package dev.baton.participant;
