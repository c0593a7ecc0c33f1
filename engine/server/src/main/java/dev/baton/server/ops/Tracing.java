package dev.baton.server.ops;

import dev.baton.server.ServerConfig;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's OpenTelemetry SDK, when tracing is on: configured by OpenTelemetry's own autoconfiguration from the
 * standard settings ({@code OTEL_*} environment variables, or the equivalent {@code otel.*} system properties, which
 * win), so that everything OpenTelemetry documents works (exporter, endpoint, headers, protocol, sampler, resource
 * attributes, batch sizes). Whether it is on is {@link ServerConfig#TRACING_ENABLED}: {@code auto} (the default) turns
 * it on only when {@code OTEL_TRACES_EXPORTER} / {@code otel.traces.exporter} names an exporter other than
 * {@code none}; {@code true} turns it on with OTLP by default; {@code false} keeps it off whatever {@code OTEL_*} says.
 * {@code OTEL_SDK_DISABLED=true} also keeps it off.
 *
 * <p>Baton's defaults, each overridden by the corresponding setting: {@code otel.traces.exporter=otlp},
 * {@code otel.service.name=baton-server} (unless {@code OTEL_RESOURCE_ATTRIBUTES} names a {@code service.name}), and no
 * metrics or logs exporter ({@code otel.metrics.exporter=none}, {@code otel.logs.exporter=none}): the server's metrics
 * are on {@code /metrics}.
 */
public final class Tracing {
    private static final Logger log = LoggerFactory.getLogger(Tracing.class);

    private Tracing() {}

    /**
     * Opens the SDK when tracing is on, else empty. Close it after the engine (its last spans are flushed then).
     *
     * @param systemProperties {@code System::getProperty} in production
     */
    public static Optional<OpenTelemetrySdk> open(ServerConfig config, Function<String, String> systemProperties) {
        Map<String, String> fromEnv = new HashMap<>();
        config.otelEnvironment().forEach((name, value) -> fromEnv.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value));
        Function<String, String> setting = key -> {
            String v = systemProperties.apply(key);
            return v != null ? v.trim() : fromEnv.get(key);
        };
        String mode = config.get(ServerConfig.TRACING_ENABLED);
        String exporter = setting.apply("otel.traces.exporter");
        boolean on = switch (mode) {
            case "true" -> true;
            case "false" -> false;
            default -> exporter != null && !exporter.isBlank() && !exporter.equalsIgnoreCase("none");
        };
        if (!on || "true".equalsIgnoreCase(setting.apply("otel.sdk.disabled"))) {
            log.info("tracing off ({}={}{})", ServerConfig.TRACING_ENABLED.name(), mode,
                    exporter == null ? ", OTEL_TRACES_EXPORTER not set" : ", OTEL_TRACES_EXPORTER=" + exporter);
            return Optional.empty();
        }
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.traces.exporter", "otlp");
        defaults.put("otel.metrics.exporter", "none");
        defaults.put("otel.logs.exporter", "none");
        String attributes = setting.apply("otel.resource.attributes");
        if (attributes == null || !attributes.matches("(^|.*,)\\s*service\\.name\\s*=.*")) {
            defaults.put("otel.service.name", "baton-server");
        }
        // precedence: system properties, then the process environment (read by the SDK itself), then these: the
        // OTEL_* variables as the server read them (the same as the environment in production), over Baton's defaults
        Map<String, String> supplied = new HashMap<>(defaults);
        supplied.putAll(fromEnv);
        AutoConfiguredOpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> supplied)
                .build();
        OpenTelemetrySdk otel = sdk.getOpenTelemetrySdk();
        log.info("tracing on: exporter {}, endpoint {}, service {}", setting.apply("otel.traces.exporter") == null
                        ? "otlp" : setting.apply("otel.traces.exporter"),
                Optional.ofNullable(setting.apply("otel.exporter.otlp.traces.endpoint"))
                        .or(() -> Optional.ofNullable(setting.apply("otel.exporter.otlp.endpoint"))).orElse("(OTLP default)"),
                Optional.ofNullable(setting.apply("otel.service.name")).orElse(defaults.getOrDefault("otel.service.name",
                        "(from OTEL_RESOURCE_ATTRIBUTES)")));
        return Optional.of(otel);
    }
}
