package dev.baton.jackson;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.engine.SagaCodecException;
import dev.baton.engine.spi.Codec;
import java.util.Objects;

/**
 * The default {@link Codec}: JSON through Jackson. Records, {@code java.time} types and enums work out of
 * the box. No type information is written into the JSON: the engine always knows the target type from the
 * saga definition or the message's wire name, so stored data never names a class (no polymorphic
 * deserialisation, no class loading from stored text).
 *
 * <p>Unknown properties are ignored on read, so a field can be removed from a saga data record without
 * breaking instances in flight. Thread-safe.
 *
 * @since 0.1
 */
public final class JacksonCodec implements Codec {
    private final ObjectMapper mapper;

    /** A codec with Baton's defaults. */
    public JacksonCodec() {
        this(defaultMapper());
    }

    /** A codec over a mapper you configured (modules, naming). The mapper must not be reconfigured afterwards. */
    public JacksonCodec(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /** Baton's default mapper: java.time as ISO-8601 text, unknown properties ignored. */
    public static ObjectMapper defaultMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .build();
    }

    /** The mapper in use. */
    public ObjectMapper mapper() {
        return mapper;
    }

    @Override
    public String encode(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new SagaCodecException("cannot encode a " + (value == null ? "null" : value.getClass().getSimpleName())
                    + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public <T> T decode(String text, Class<T> type) {
        try {
            T value = mapper.readValue(text, type);
            if (value == null) {
                throw new SagaCodecException("JSON null is not a " + type.getSimpleName(), null);
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new SagaCodecException("cannot read a " + type.getSimpleName() + " from JSON: " + e.getOriginalMessage()
                    + " (at " + e.getLocation() + ")", e);
        }
    }
}
