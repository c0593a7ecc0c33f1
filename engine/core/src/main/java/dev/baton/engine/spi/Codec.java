package dev.baton.engine.spi;

/**
 * Turns saga data, commands, replies and the engine's execution state into text and back. The engine
 * never stores or sends a class name: types are named by the saga definition or by wire names.
 * Implementations are thread-safe; {@code baton-jackson} provides the default.
 *
 * @since 0.1
 */
public interface Codec {

    /** Encodes a value. @throws dev.baton.engine.SagaCodecException when it cannot */
    String encode(Object value);

    /** Decodes text into {@code type}. @throws dev.baton.engine.SagaCodecException when the text does not fit */
    <T> T decode(String text, Class<T> type);

    /**
     * Decodes the data a client starts a saga with ({@link dev.baton.engine.SagaEngine#start(String, String, String)}:
     * the REST API, the Kafka start topic). Start data comes from outside and is checked before anything is stored,
     * so an implementation should refuse what {@link #decode} tolerates for replies and stored state: unknown fields,
     * values of another kind converted (a string for a number, a fraction for a whole number), duplicate keys and
     * anything after the value. The failure should say where ({@link dev.baton.engine.SagaCodecException#field()}) and
     * what was wrong, without class names. Replies and commands keep using {@link #decode}: participants evolve on
     * their own, and a reply with a field the engine does not know must still be read.
     *
     * <p>The default decodes as {@link #decode} does.
     *
     * @throws dev.baton.engine.SagaCodecException when the text does not fit
     * @since 0.2
     */
    default <T> T decodeStrictly(String text, Class<T> type) {
        return decode(text, type);
    }
}
