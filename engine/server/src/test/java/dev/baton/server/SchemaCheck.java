package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.baton.server.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Validates JSON against a JSON Schema as a participant in another language would: draft 2020-12 (the dialect the schema
 * names), with {@code format} asserted (a date-time that is not one fails), by an independent validator.
 */
public final class SchemaCheck {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    private SchemaCheck() {}

    /** What is wrong with {@code json} by {@code schema}, one message each; empty when it is valid. */
    public static List<String> problems(JsonNode schema, String json) {
        JsonNode instance;
        try {
            instance = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return FACTORY.getSchema(schema, CONFIG).validate(instance).stream().map(ValidationMessage::getMessage).sorted()
                .toList();
    }
}
