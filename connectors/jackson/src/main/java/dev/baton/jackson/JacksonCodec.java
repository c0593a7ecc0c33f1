package dev.baton.jackson;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
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
 * <p>{@link #decode} is lenient where participants and stored state need it: unknown properties are ignored, so a
 * participant can add a field to a reply and a field can be removed from a saga data record without breaking
 * instances in flight. {@link #decodeStrictly}, used for the data a saga is started with, is strict: it refuses
 * unknown properties, a string where a number or boolean belongs (and a number or boolean where a string belongs), a
 * fraction where a whole number belongs, duplicate keys and anything after the value, and its
 * failure names the field and what was wrong without naming a class ({@link SagaCodecException#field()},
 * {@link SagaCodecException#problem()}). Thread-safe.
 *
 * @since 0.1
 */
public final class JacksonCodec implements Codec {
    private final ObjectMapper mapper;
    private final ObjectReader strict;

    /** A codec with Baton's defaults. */
    public JacksonCodec() {
        this(defaultMapper());
    }

    /**
     * A codec over a mapper you configured (modules, naming). The mapper must not be reconfigured afterwards. The
     * strict decoding of start data uses a copy of it with the strict settings added.
     */
    public JacksonCodec(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.strict = strictReader(mapper);
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

    /** {@code mapper}'s settings plus the strict ones of {@link #decodeStrictly}, on a copy. */
    private static ObjectReader strictReader(ObjectMapper mapper) {
        ObjectMapper m = mapper.copy();
        for (LogicalType number : new LogicalType[] {LogicalType.Integer, LogicalType.Float}) {
            m.coercionConfigFor(number)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return m.reader()
                .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                        DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT, DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
                        DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS)
                .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
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
            // the field and problem in JSON's words too: a reply that does not map names them in its saga's reason
            DecodeProblem p = DecodeProblem.of(e);
            throw new SagaCodecException("cannot read a " + type.getSimpleName() + " from JSON: " + e.getOriginalMessage()
                    + " (at " + e.getLocation() + ")", p.field(), p.problem(), e);
        }
    }

    @Override
    public <T> T decodeStrictly(String text, Class<T> type) {
        T value;
        try {
            value = strict.forType(type).readValue(text);
        } catch (JsonProcessingException e) {
            DecodeProblem p = DecodeProblem.of(e);
            throw new SagaCodecException("cannot read a " + type.getSimpleName() + " from JSON: " + p.summary(), p.field(),
                    p.problem(), e);
        }
        if (value == null) {
            throw new SagaCodecException("JSON null is not a " + type.getSimpleName(), "", "must be a JSON object, but was"
                    + " null", null);
        }
        return value;
    }
}
