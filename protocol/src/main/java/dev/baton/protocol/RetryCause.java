package dev.baton.protocol;

/**
 * Why a participant answered RETRY_LATER; its {@link #wireValue()} travels as the {@link Headers#RETRY_CAUSE} header.
 *
 * @since 0.1
 */
public enum RetryCause {
    /** At its capacity: ask again later. The meaning of a RETRY_LATER without the header. */
    BUSY("busy"),
    /** The handler failed (for example it threw) and rolled back: nothing took effect. */
    ERROR("error");

    private final String wireValue;

    RetryCause(String wireValue) {
        this.wireValue = wireValue;
    }

    /** The header value. */
    public String wireValue() {
        return wireValue;
    }
}
