package dev.baton.server;

import dev.baton.protocol.Secrets;
import dev.baton.resilience4j.BreakerConfigs;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The server's settings: read from a properties file, overridden by environment variables, validated at once.
 *
 * <p>Each key {@code baton.a.b-c} can be overridden by the environment variable {@code BATON_A_B_C}. Kafka client
 * properties pass through: {@code baton.kafka.client.security.protocol=SSL} in the file, or
 * {@code BATON_KAFKA_CLIENT_SECURITY_PROTOCOL=SSL} in the environment (underscores become dots). Circuit breaker
 * settings are {@code baton.breaker.<participant>.<setting>} ({@code default} for every participant not named), or
 * {@code BATON_BREAKER_<PARTICIPANT>_<SETTING>} in the environment (the participant lower-cased, underscores as
 * hyphens). Unknown {@code baton.*} keys in the file are errors (a typo must not be silently ignored); unknown
 * {@code BATON_*} environment variables are warnings ({@link #warnings()}), or errors when their name looks like a
 * security setting. Without {@code baton.api.token} the server listens on loopback only, unless
 * {@code baton.http.insecure-open=true} says otherwise on purpose. Immutable.
 *
 * @since 0.1
 */
public final class ServerConfig {

    /** A known setting: key, default (null = none), what is expected. */
    public record Key(String name, String defaultValue, String expected) {
        /** Whether the value is masked in logs and errors, as {@link Secrets#isSecret} decides from the name. */
        public boolean secret() {
            return Secrets.isSecret(name);
        }

        public String envName() {
            return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        }
    }

    public static final Key HTTP_PORT = new Key("baton.http.port", "8080", "a TCP port, 0 to 65535 (0 = any free port)");
    // secure by default and a bounded stop: where the server listens, the deliberate way to open it, and the shutdown
    public static final Key HTTP_HOST = new Key("baton.http.host", "127.0.0.1",
            "an interface address to listen on (an address other than loopback needs baton.api.token, or baton.http.insecure-open=true)");
    public static final Key HTTP_INSECURE_OPEN = new Key("baton.http.insecure-open", "false",
            "true or false: true lets the server listen beyond loopback without baton.api.token, so anyone who reaches the"
                    + " port can start sagas and act on them (logged at WARN on every start)");
    public static final Key SHUTDOWN_GRACE_MS = new Key("baton.shutdown.grace-ms", "10000",
            "an integer number of milliseconds, 0 to 600000: on SIGTERM, how long requests in flight may take to finish");
    public static final Key DATA_DIR = new Key("baton.data.dir", "./data", "a folder for the embedded H2 database");
    public static final Key DB_URL = new Key("baton.db.url", "", "a JDBC URL (jdbc:h2:... or jdbc:postgresql://...); empty = embedded H2 file in baton.data.dir");
    public static final Key DB_USER = new Key("baton.db.user", "sa", "the database user");
    public static final Key DB_PASSWORD = new Key("baton.db.password", "", "the database password");
    public static final Key DB_POOL_SIZE = new Key("baton.db.pool-size", "10", "an integer, 1 to 200");
    public static final Key KAFKA_BOOTSTRAP = new Key("baton.kafka.bootstrap-servers", null, "host:port[,host:port...] (or run with --dev)");
    public static final Key KAFKA_TOPIC_PREFIX = new Key("baton.kafka.topic-prefix", "baton.", "letters, digits, '.', '_' or '-'");
    public static final Key KAFKA_PARTITIONS = new Key("baton.kafka.partitions", "3", "an integer, 1 to 10000");
    public static final Key KAFKA_REPLICATION = new Key("baton.kafka.replication-factor", "1", "an integer, 1 to 32");
    public static final Key KAFKA_GROUP = new Key("baton.kafka.group-id", "baton-engine", "a consumer group id");
    public static final Key KAFKA_REPLY_CONSUMERS = new Key("baton.kafka.reply-consumers", "1",
            "an integer, 1 to 64: reply consumer threads per node (more help on PostgreSQL; at most the node's partitions)");
    public static final Key ENGINE_LEASE_MS = new Key("baton.engine.lease-ms", "10000",
            "an integer number of milliseconds, 100 to 600000: how long a node holds due timers and outbox rows it took");
    public static final Key ENGINE_TIMER_BATCH = new Key("baton.engine.timer-batch-size", "100",
            "an integer, 1 to 10000: due timers a node takes at once");
    public static final Key ENGINE_NODE_NAME = new Key("baton.engine.node-name", "",
            "this node's name among the nodes sharing the database (node list, leases, logs); empty = host-pid-random");
    public static final Key ENGINE_LIVE_POLL_MS = new Key("baton.engine.live-poll-ms", "2000",
            "an integer number of milliseconds, 100 to 60000: how often the node reads rollouts and policy overrides"
                    + " and refreshes its entry in the node list");
    public static final Key ENGINE_TIMEOUT_GRACE_MS = new Key("baton.engine.timeout-grace-ms", "30000",
            "an integer number of milliseconds, 0 to 600000: how long reply timeouts wait after start or a take-over");
    public static final Key ENGINE_INBOX_RETENTION_HOURS = new Key("baton.engine.inbox-retention-hours", "168",
            "an integer number of hours, 1 to 87600: how long applied reply ids are kept (keep above the reply topic's retention)");
    public static final Key ENGINE_ENDED_RETENTION_DAYS = new Key("baton.engine.ended-retention-days", "30",
            "an integer number of days, 0 to 36500: how long COMPLETED and COMPENSATED sagas are kept (0 = forever)");
    public static final Key ENGINE_FAILED_RETENTION_DAYS = new Key("baton.engine.failed-retention-days", "0",
            "an integer number of days, 0 to 36500: how long FAILED sagas are kept (0 = until an operator acts)");
    public static final Key HEALTH_MAX_POLL_SILENCE_MS = new Key("baton.health.max-poll-silence-ms", "30000",
            "an integer number of milliseconds, 1000 to 3600000: /health/ready is DOWN when a Kafka consumer loop has not polled successfully for longer");
    public static final Key FLOW_ENABLED = new Key("baton.flow.enabled", "true",
            "true or false: whether commands over a participant's adaptive limit wait in line (flow control)");
    public static final Key FLOW_INITIAL_LIMIT = new Key("baton.flow.initial-limit", "50",
            "an integer, 1 to 100000: the flow control limit of a participant the engines have not seen before");
    public static final Key FLOW_MAX_LIMIT = new Key("baton.flow.max-limit", "5000",
            "an integer, 1 to 100000: a participant's flow control limit never rises above this");
    public static final Key API_TOKEN = new Key("baton.api.token", "", "a bearer token required by mutating API calls; empty = none");
    public static final Key API_READ_TOKEN = new Key("baton.api.read-token", "", "a bearer token required by read API calls (the API token also works); empty = reads are open");
    public static final Key API_MAX_BODY = new Key("baton.api.max-body-bytes", "1048576", "an integer number of bytes, 1 to 104857600");
    public static final Key API_REDACT_FIELDS = new Key("baton.api.redact-fields", "",
            "comma-separated field names, e.g. cardNumber,email: masked as [redacted] wherever they appear (any depth,"
                    + " ignoring case) in the saga data and history messages the API and dashboard show; empty = none");
    public static final Key HISTORY_PAYLOADS = new Key("baton.engine.history-payloads", "true",
            "true or false: whether history entries keep the command sent and the reply received (shown by the API and"
                    + " dashboard, with baton.api.redact-fields masked)");
    public static final Key DEFINITIONS_DIR = new Key("baton.definitions.dir", "", "a folder of jars with saga definitions; empty = classpath only");
    public static final Key LOG_FORMAT = new Key("baton.log.format", "text", "text or json");
    public static final Key TRACING_ENABLED = new Key("baton.tracing.enabled", "auto",
            "auto, true or false: whether the engine records and exports traces (OpenTelemetry, configured by the standard"
                    + " OTEL_* variables or otel.* system properties). auto: only when OTEL_TRACES_EXPORTER names an exporter"
                    + " other than none; true: also without it (OTLP to localhost by default); false: never");
    public static final Key TRACING_LINK_TEMPLATE = new Key("baton.tracing.link-template", "",
            "a URL containing {traceId}, e.g. https://jaeger.example/trace/{traceId}: GET /api/sagas/{id} shows it as"
                    + " traceLink; empty = no link");
    public static final Key SLA_WARN_RATIO = new Key("baton.sla.warn-ratio", "0.05",
            "a decimal from 0 to 1: when more than this share of a step's (or saga's) durations in baton.sla.warn-window"
                    + " were over its SLA, one WARN line is logged, at most once per window (1 = never)");
    public static final Key SLA_WARN_MIN_SAMPLES = new Key("baton.sla.warn-min-samples", "20",
            "an integer, 1 to 1000000: the least durations of a step measured in baton.sla.warn-window before its SLA"
                    + " warning can fire");
    public static final Key SLA_WARN_WINDOW = new Key("baton.sla.warn-window", "5m",
            "1m, 5m or 15m: the window over which baton.sla.warn-ratio is measured, and the least time between two"
                    + " warnings of one step");
    public static final Key LOG_LEVEL = new Key("baton.log.level", "INFO", "ERROR, WARN, INFO, DEBUG or TRACE (Baton's own loggers; DEBUG shows every saga transition)");

    /** Every known key, in documentation order. */
    public static final List<Key> KEYS = List.of(HTTP_PORT, HTTP_HOST, HTTP_INSECURE_OPEN, SHUTDOWN_GRACE_MS, DATA_DIR, DB_URL, DB_USER, DB_PASSWORD, DB_POOL_SIZE,
            KAFKA_BOOTSTRAP, KAFKA_TOPIC_PREFIX, KAFKA_PARTITIONS, KAFKA_REPLICATION, KAFKA_GROUP, KAFKA_REPLY_CONSUMERS,
            ENGINE_LEASE_MS, ENGINE_TIMER_BATCH, ENGINE_NODE_NAME, ENGINE_LIVE_POLL_MS, ENGINE_TIMEOUT_GRACE_MS,
            ENGINE_INBOX_RETENTION_HOURS,
            ENGINE_ENDED_RETENTION_DAYS, ENGINE_FAILED_RETENTION_DAYS, HEALTH_MAX_POLL_SILENCE_MS, FLOW_ENABLED, FLOW_INITIAL_LIMIT, FLOW_MAX_LIMIT,
            API_TOKEN, API_READ_TOKEN,
            API_MAX_BODY, API_REDACT_FIELDS, HISTORY_PAYLOADS, DEFINITIONS_DIR, TRACING_ENABLED, TRACING_LINK_TEMPLATE, SLA_WARN_RATIO, SLA_WARN_MIN_SAMPLES,
            SLA_WARN_WINDOW, LOG_FORMAT, LOG_LEVEL);
    /** Environment variables with this prefix are OpenTelemetry's own settings ({@link #otelEnvironment()}). */
    public static final String OTEL_ENV_PREFIX = "OTEL_";
    /** File keys under this prefix pass through to every Kafka client. */
    public static final String KAFKA_CLIENT_PREFIX = "baton.kafka.client.";
    /** File keys under this prefix are circuit breaker settings: {@code <participant>.<setting>}. */
    public static final String BREAKER_PREFIX = "baton.breaker.";
    private static final String BREAKER_ENV_PREFIX = "BATON_BREAKER_";
    private static final String KAFKA_CLIENT_ENV_PREFIX = "BATON_KAFKA_CLIENT_";
    private static final String ENV_PREFIX = "BATON_";
    private static final String TEST_ENV_PREFIX = "BATON_TEST_";
    /**
     * An unknown environment variable whose name holds one of these, or that is a near miss of a secret setting or of
     * the insecure opt-in, is a start error, not a warning.
     */
    static final List<String> SECURITY_WORDS = List.of("TOKEN", "PASSWORD", "SECRET", "KEY", "AUTH", "INSECURE");

    private final Map<String, String> values;
    private final Map<String, String> kafkaClient;
    private final Map<String, String> breakerKeys;
    private final Map<String, String> otel;
    private final List<String> warnings;
    private BreakerConfigs breakers;

    private ServerConfig(Map<String, String> values, Map<String, String> kafkaClient, Map<String, String> breakerKeys,
                         Map<String, String> otel, List<String> warnings) {
        this.values = Map.copyOf(values);
        this.otel = Map.copyOf(otel);
        this.kafkaClient = Map.copyOf(kafkaClient);
        this.breakerKeys = Map.copyOf(breakerKeys);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Reads settings: defaults, then the file (may be null), then the environment, then {@code overrides} (from the
     * command line). Validates everything.
     *
     * @throws InvalidConfigException listing every problem, one line each, naming the key and what is expected
     */
    public static ServerConfig load(Properties file, Function<String, String> env, Map<String, String> envAll,
                                    Map<String, String> overrides) {
        List<String> problems = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> client = new TreeMap<>();
        Map<String, String> breaker = new TreeMap<>();
        for (Key k : KEYS) {
            if (k.defaultValue() != null) {
                values.put(k.name(), k.defaultValue());
            }
        }
        if (file != null) {
            for (String name : new TreeMap<>(toMap(file)).keySet()) {
                String v = file.getProperty(name).trim();
                if (name.startsWith(KAFKA_CLIENT_PREFIX) && name.length() > KAFKA_CLIENT_PREFIX.length()) {
                    client.put(name.substring(KAFKA_CLIENT_PREFIX.length()), v);
                } else if (name.startsWith(BREAKER_PREFIX) && name.length() > BREAKER_PREFIX.length()) {
                    breaker.put(name.substring(BREAKER_PREFIX.length()), v);
                } else if (KEYS.stream().anyMatch(k -> k.name().equals(name))) {
                    values.put(name, v);
                } else {
                    problems.add("unknown setting '" + name + "' in the configuration file" + suggestion(name)
                            + "; known settings: see --help");
                }
            }
        }
        for (Key k : KEYS) {
            String v = env.apply(k.envName());
            if (v != null) {
                values.put(k.name(), v.trim());
            }
        }
        envAll.forEach((name, v) -> {
            if (name.startsWith(KAFKA_CLIENT_ENV_PREFIX) && name.length() > KAFKA_CLIENT_ENV_PREFIX.length()) {
                client.put(name.substring(KAFKA_CLIENT_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v.trim());
            }
        });
        envAll.forEach((name, v) -> {
            if (name.startsWith(BREAKER_ENV_PREFIX) && name.length() > BREAKER_ENV_PREFIX.length()) {
                breaker.put(breakerKey(name.substring(BREAKER_ENV_PREFIX.length())), v.trim());
            }
        });
        Map<String, String> otel = new TreeMap<>();
        envAll.forEach((name, v) -> {
            if (name.startsWith(OTEL_ENV_PREFIX) && v != null) {
                otel.put(name, v.trim());
            }
        });
        List<String> warnings = new ArrayList<>();
        checkEnvironmentNames(envAll, problems, warnings);
        values.putAll(overrides);
        ServerConfig c = new ServerConfig(values, client, breaker, otel, warnings);
        c.validate(problems);
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return c;
    }

    /** {@code DEMO_PAYMENT_WAIT_OPEN} → {@code demo-payment.wait-open}: a known setting suffix; the rest lower-cased, _ as -. */
    private static String breakerKey(String env) {
        for (String setting : BreakerConfigs.SETTINGS) {
            String suffix = "_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
            if (env.endsWith(suffix) && env.length() > suffix.length()) {
                return env.substring(0, env.length() - suffix.length()).toLowerCase(Locale.ROOT).replace('_', '-') + "." + setting;
            }
        }
        return env.toLowerCase(Locale.ROOT); // reported as unknown by the parser
    }

    /**
     * Reports {@code BATON_*} environment variables that name no setting: a typo must not silently leave a default in
     * place. One that looks like a security setting ({@link #SECURITY_WORDS}) is a problem (the start fails), any other
     * a warning. Only names are reported, never values. {@code BATON_TEST_*} belongs to Baton's own test suite.
     */
    private static void checkEnvironmentNames(Map<String, String> envAll, List<String> problems, List<String> warnings) {
        Set<String> known = new HashSet<>();
        for (Key k : KEYS) {
            known.add(k.envName());
        }
        for (String name : new TreeSet<>(envAll.keySet())) {
            String upper = name.toUpperCase(Locale.ROOT);
            if (!upper.startsWith(ENV_PREFIX) || known.contains(name) || upper.startsWith(TEST_ENV_PREFIX)
                    || (name.startsWith(KAFKA_CLIENT_ENV_PREFIX) && name.length() > KAFKA_CLIENT_ENV_PREFIX.length())
                    || (name.startsWith(BREAKER_ENV_PREFIX) && name.length() > BREAKER_ENV_PREFIX.length())) {
                continue;
            }
            Key nearest = nearestKey(upper);
            String unknown = "unknown environment variable " + name + (nearest == null ? "" : " (did you mean "
                    + nearest.envName() + "?)");
            if (SECURITY_WORDS.stream().anyMatch(upper::contains) || (nearest != null && securityKey(nearest))) {
                problems.add(unknown + ": it looks like a security setting, and ignoring it could leave the server more"
                        + " open than intended; correct or remove it (known variables: see --help)");
            } else {
                warnings.add(unknown + ", ignored (known variables: see --help)");
            }
        }
    }

    /** The known setting whose environment variable is at most 3 edits from {@code upperName}, or null. */
    private static Key nearestKey(String upperName) {
        Key best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Key k : KEYS) {
            int d = distance(upperName, k.envName());
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= 3 ? best : null;
    }

    /** Settings whose typo could leave the server more open than intended: the secrets and the insecure opt-in. */
    private static boolean securityKey(Key k) {
        return k.secret() || k == HTTP_INSECURE_OPEN;
    }

    private static Map<String, String> toMap(Properties p) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : p.stringPropertyNames()) {
            m.put(n, p.getProperty(n));
        }
        return m;
    }

    private static String suggestion(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Key k : KEYS) {
            int d = distance(name, k.name());
            if (d < bestDistance) {
                bestDistance = d;
                best = k.name();
            }
        }
        return bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private void validate(List<String> problems) {
        integer(problems, HTTP_PORT, 0, 65535);
        integer(problems, SHUTDOWN_GRACE_MS, 0, 600_000);
        if (!List.of("true", "false").contains(get(HTTP_INSECURE_OPEN))) {
            problems.add(HTTP_INSECURE_OPEN.name() + " must be true or false, but was '" + get(HTTP_INSECURE_OPEN) + "'");
        } else if (get(API_TOKEN).isEmpty() && !isLoopback(get(HTTP_HOST)) && !insecureOpenSet()) {
            problems.add(HTTP_HOST.name() + " is '" + get(HTTP_HOST) + "', which is not a loopback address, and "
                    + API_TOKEN.name() + " is not set: anyone who reaches the port could start sagas and act on them."
                    + " Set " + API_TOKEN.name() + " (environment: " + API_TOKEN.envName() + "), or open the API"
                    + " deliberately with " + HTTP_INSECURE_OPEN.name() + "=true (environment: "
                    + HTTP_INSECURE_OPEN.envName() + ")");
        }
        integer(problems, DB_POOL_SIZE, 1, 200);
        integer(problems, KAFKA_PARTITIONS, 1, 10000);
        integer(problems, KAFKA_REPLICATION, 1, 32);
        integer(problems, KAFKA_REPLY_CONSUMERS, 1, 64);
        integer(problems, ENGINE_LEASE_MS, 100, 600_000);
        integer(problems, ENGINE_TIMER_BATCH, 1, 10_000);
        integer(problems, ENGINE_LIVE_POLL_MS, 100, 60_000);
        integer(problems, ENGINE_TIMEOUT_GRACE_MS, 0, 600_000);
        integer(problems, ENGINE_INBOX_RETENTION_HOURS, 1, 87_600);
        integer(problems, ENGINE_ENDED_RETENTION_DAYS, 0, 36_500);
        integer(problems, ENGINE_FAILED_RETENTION_DAYS, 0, 36_500);
        integer(problems, HEALTH_MAX_POLL_SILENCE_MS, 1000, 3_600_000);
        integer(problems, API_MAX_BODY, 1, 104_857_600);
        integer(problems, FLOW_INITIAL_LIMIT, 1, 100_000);
        integer(problems, FLOW_MAX_LIMIT, 1, 100_000);
        if (!List.of("true", "false").contains(get(HISTORY_PAYLOADS))) {
            problems.add(HISTORY_PAYLOADS.name() + " must be " + HISTORY_PAYLOADS.expected() + ", but was '"
                    + get(HISTORY_PAYLOADS) + "'");
        }
        try {
            redaction();
        } catch (IllegalArgumentException e) {
            problems.add(API_REDACT_FIELDS.name() + ": " + e.getMessage());
        }
        if (!List.of("true", "false").contains(get(FLOW_ENABLED))) {
            problems.add(FLOW_ENABLED.name() + " must be " + FLOW_ENABLED.expected() + ", but was '" + get(FLOW_ENABLED) + "'");
        } else if (problems.isEmpty() && getInt(FLOW_INITIAL_LIMIT) > getInt(FLOW_MAX_LIMIT)) {
            problems.add(FLOW_INITIAL_LIMIT.name() + " must be at most " + FLOW_MAX_LIMIT.name() + " ("
                    + getInt(FLOW_MAX_LIMIT) + "), but was " + getInt(FLOW_INITIAL_LIMIT));
        }
        String url = get(DB_URL);
        if (!url.isEmpty() && !url.startsWith("jdbc:")) {
            problems.add(DB_URL.name() + " must be " + DB_URL.expected() + ", but was '" + maskUrl(url) + "'");
        }
        String bootstrap = values.get(KAFKA_BOOTSTRAP.name());
        if (bootstrap == null || bootstrap.isBlank()) {
            problems.add(KAFKA_BOOTSTRAP.name() + " is required: " + KAFKA_BOOTSTRAP.expected() + " (environment: "
                    + KAFKA_BOOTSTRAP.envName() + ")");
        } else {
            for (String hp : bootstrap.split(",")) {
                if (!hp.trim().matches("[^:\\s]+:\\d{1,5}")) {
                    problems.add(KAFKA_BOOTSTRAP.name() + " must be " + KAFKA_BOOTSTRAP.expected() + ", but contains '" + hp.trim() + "'");
                }
            }
        }
        if (!get(KAFKA_TOPIC_PREFIX).matches("[A-Za-z0-9._-]*")) {
            problems.add(KAFKA_TOPIC_PREFIX.name() + " must be " + KAFKA_TOPIC_PREFIX.expected() + ", but was '" + get(KAFKA_TOPIC_PREFIX) + "'");
        }
        if (!List.of("auto", "true", "false").contains(get(TRACING_ENABLED))) {
            problems.add(TRACING_ENABLED.name() + " must be " + TRACING_ENABLED.expected() + ", but was '"
                    + get(TRACING_ENABLED) + "'");
        }
        String link = get(TRACING_LINK_TEMPLATE);
        if (!link.isEmpty() && (!link.contains("{traceId}") || !link.matches("(?i)https?://\\S+"))) {
            problems.add(TRACING_LINK_TEMPLATE.name() + " must be " + TRACING_LINK_TEMPLATE.expected() + ", but was '"
                    + link + "'");
        }
        try {
            double ratio = Double.parseDouble(get(SLA_WARN_RATIO));
            if (!(ratio >= 0 && ratio <= 1)) {
                problems.add(SLA_WARN_RATIO.name() + " must be " + SLA_WARN_RATIO.expected() + ", but was " + get(SLA_WARN_RATIO));
            }
        } catch (NumberFormatException e) {
            problems.add(SLA_WARN_RATIO.name() + " must be " + SLA_WARN_RATIO.expected() + ", but was '"
                    + get(SLA_WARN_RATIO) + "'");
        }
        integer(problems, SLA_WARN_MIN_SAMPLES, 1, 1_000_000);
        if (!List.of("1m", "5m", "15m").contains(get(SLA_WARN_WINDOW))) {
            problems.add(SLA_WARN_WINDOW.name() + " must be " + SLA_WARN_WINDOW.expected() + ", but was '"
                    + get(SLA_WARN_WINDOW) + "'");
        }
        if (!List.of("text", "json").contains(get(LOG_FORMAT))) {
            problems.add(LOG_FORMAT.name() + " must be " + LOG_FORMAT.expected() + ", but was '" + get(LOG_FORMAT) + "'");
        }
        if (!List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(get(LOG_LEVEL).toUpperCase(Locale.ROOT))) {
            problems.add(LOG_LEVEL.name() + " must be " + LOG_LEVEL.expected() + ", but was '" + get(LOG_LEVEL) + "'");
        }
        if (!get(API_READ_TOKEN).isEmpty() && get(API_TOKEN).isEmpty()) {
            problems.add(API_READ_TOKEN.name() + " is set but " + API_TOKEN.name() + " is not: set " + API_TOKEN.name()
                    + " too (environment: " + API_TOKEN.envName() + "), or mutating calls would be open while reads are protected");
        }
        try {
            breakers = BreakerConfigs.parse(breakerKeys, BREAKER_PREFIX);
        } catch (BreakerConfigs.InvalidBreakerConfigException e) {
            problems.addAll(e.problems());
        }
        String dir = get(DEFINITIONS_DIR);
        if (!dir.isEmpty() && !Path.of(dir).toFile().isDirectory()) {
            problems.add(DEFINITIONS_DIR.name() + " must be " + DEFINITIONS_DIR.expected() + ", but '" + dir + "' is not a folder");
        }
    }

    private void integer(List<String> problems, Key k, int min, int max) {
        String v = get(k);
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                problems.add(k.name() + " must be " + k.expected() + ", but was " + v);
            }
        } catch (NumberFormatException e) {
            problems.add(k.name() + " must be " + k.expected() + ", but was '" + v + "'");
        }
    }

    /**
     * Whether {@code host} names only loopback addresses ({@code 127.0.0.1}, {@code ::1}, {@code localhost}). An
     * empty host means every interface to the web server, and a name that does not resolve is not known to be loopback.
     */
    static boolean isLoopback(String host) {
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.isEmpty()) {
            return false;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(h)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private boolean insecureOpenSet() {
        return "true".equals(get(HTTP_INSECURE_OPEN));
    }

    /**
     * Why the HTTP API is open more widely than it should be, for a WARN line on every start, or empty: set when
     * {@code baton.http.insecure-open=true}.
     */
    public Optional<String> insecureOpenWarning() {
        if (!insecureOpenSet()) {
            return Optional.empty();
        }
        if (get(API_TOKEN).isEmpty() && !isLoopback(get(HTTP_HOST))) {
            return Optional.of(HTTP_INSECURE_OPEN.name() + "=true: the API listens on " + get(HTTP_HOST)
                    + " without " + API_TOKEN.name() + "; anyone who reaches the port can start sagas and act on them");
        }
        return Optional.of(HTTP_INSECURE_OPEN.name() + "=true has no effect here (" + (get(API_TOKEN).isEmpty()
                ? HTTP_HOST.name() + " is loopback" : API_TOKEN.name() + " is set") + "); remove it so that it cannot"
                + " open the API later");
    }

    /** Problems with the settings that do not stop the start (unknown environment variables), one line each. */
    public List<String> warnings() {
        return warnings;
    }

    /** The fields {@link #API_REDACT_FIELDS} names. @throws IllegalArgumentException for a name that is not a field's */
    public dev.baton.server.api.Redaction redaction() {
        return dev.baton.server.api.Redaction.of(java.util.Arrays.asList(get(API_REDACT_FIELDS).split(",")));
    }

    /** The value of a key (its default when not set). */

    public String get(Key k) {
        return Objects.requireNonNullElse(values.get(k.name()), "");
    }

    public int getInt(Key k) {
        return Integer.parseInt(get(k));
    }

    /** A decimal setting's value. */
    public double getDouble(Key k) {
        return Double.parseDouble(get(k));
    }

    /** {@link #SLA_WARN_WINDOW} as a duration. */
    public java.time.Duration slaWarnWindow() {
        return java.time.Duration.ofMinutes(Long.parseLong(get(SLA_WARN_WINDOW).replace("m", "")));
    }

    /** The circuit breaker settings: defaults and per participant. */
    public BreakerConfigs breakers() {
        return breakers;
    }

    /**
     * The {@code OTEL_*} environment variables, as read: OpenTelemetry's own settings, which the server hands to the
     * SDK's autoconfiguration (see {@code dev.baton.server.ops.Tracing}); never logged, since
     * {@code OTEL_EXPORTER_OTLP_HEADERS} may hold an API key.
     */
    public Map<String, String> otelEnvironment() {
        return otel;
    }

    /** Kafka client properties to pass through. */
    public Map<String, String> kafkaClientProperties() {
        return kafkaClient;
    }

    /** The effective settings, secrets masked, for the start-up log. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Key k : KEYS) {
            String v = values.get(k.name());
            sb.append("\n  ").append(k.name()).append(" = ").append(Secrets.mask(k.name(), v));
        }
        kafkaClient.forEach((k, v) -> sb.append("\n  ").append(KAFKA_CLIENT_PREFIX).append(k).append(" = ")
                .append(Secrets.mask(k, v)));
        breakerKeys.forEach((k, v) -> sb.append("\n  ").append(BREAKER_PREFIX).append(k).append(" = ").append(v));
        return sb.toString();
    }

    /** A JDBC URL with any {@code password=...} parameter masked, for logs and error messages ({@link Secrets#maskUrl}). */
    public static String maskUrl(String jdbcUrl) {
        return Secrets.maskUrl(jdbcUrl);
    }

    /** The configuration is not valid; the message has one line per problem. */
    public static final class InvalidConfigException extends RuntimeException {
        private final List<String> problems;

        public InvalidConfigException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
