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
}
