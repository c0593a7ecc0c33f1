package dev.baton.participant;

/**
 * The idempotency store could not be opened, migrated or maintained. The message names the operation; the cause
 * carries the database's own error. Messages never contain command payloads.
 *
 * @since 0.1
 */
public final class ParticipantStoreException extends ParticipantException {
    /** A store failure; {@code cause} may be null. */
    public ParticipantStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
