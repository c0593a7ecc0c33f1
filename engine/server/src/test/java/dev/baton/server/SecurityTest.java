package dev.baton.server;

import static dev.baton.server.SagaApiTest.assertProblem;
import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** A server with an API token and a read token: who may read, who may change, and that no token leaks. */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityTest {
    private static final String API = "api-s3cret-0123456789";
    private static final String READ = "read-s3cret-9876543210";
    private static TestServer s;
    private static final List<String> bodies = new ArrayList<>();

    private static final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeAll
    static void start(EmbeddedKafkaBroker broker) throws Exception {
        logged.start();
        root().addAppender(logged);
        baton().setLevel(Level.DEBUG); // every saga transition and HTTP request is logged too
        s = TestServer.start(broker, Map.of("BATON_API_TOKEN", API, "BATON_API_READ_TOKEN", READ));
    }

    @AfterAll
    static void stop() {
        s.close();
        root().detachAppender(logged);
        baton().setLevel(Level.INFO);
    }

    private static Logger baton() {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("dev.baton");
    }

    private static Logger root() {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
    }

    private static HttpResponse<String> seen(HttpResponse<String> r) {
        bodies.add(r.headers().map() + " " + r.body());
        return r;
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    @Test
    @DisplayName("reads need the read token or the API token: 401 with WWW-Authenticate otherwise")
    void reads() {
        HttpResponse<String> none = seen(s.get("/api/sagas"));
        assertProblem(none, 401, "unauthorized", "needs an 'Authorization: Bearer <token>' header");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"baton\"");
        HttpResponse<String> wrong = seen(s.get("/api/stats", "Authorization", bearer("guess")));
        assertProblem(wrong, 401, "unauthorized", "not valid");
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"baton\", error=\"invalid_token\"");
        assertProblem(seen(s.get("/api/definitions", "Authorization", "Basic " + API)), 401, "unauthorized", "not valid");
        assertProblem(seen(s.get("/api/sagas/whatever")), 401, "unauthorized", "read token");

        assertThat(seen(s.get("/api/sagas", "Authorization", bearer(READ))).statusCode()).isEqualTo(200);
        assertThat(seen(s.get("/api/stats", "Authorization", bearer(API))).statusCode()).isEqualTo(200);
        assertThat(seen(s.get("/api/definitions", "Authorization", "bearer " + READ)).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("changes need the API token: the read token, a wrong token or none is 401 and nothing is stored")
    void writes() {
        String body = "{\"type\":\"test-ops\",\"data\":{\"mode\":\"ok\",\"amount\":1}}";
        long before = s.sagaCount();
        assertProblem(seen(s.post("/api/sagas", body)), 401, "unauthorized", "with the API token");
        assertProblem(seen(s.post("/api/sagas", body, "Authorization", bearer(READ))), 401, "unauthorized",
                "the read token only allows reading");
        assertProblem(seen(s.post("/api/sagas", body, "Authorization", bearer(API + "x"))), 401, "unauthorized", "not valid");
        assertProblem(seen(s.post("/api/sagas/any/abort", "{\"reason\":\"x\"}")), 401, "unauthorized", "API token");
        assertThat(s.sagaCount()).isEqualTo(before);

        HttpResponse<String> created = seen(s.post("/api/sagas", body, "Authorization", bearer(API)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(s.sagaCount()).isEqualTo(before + 1);
    }

    @Test
    @DisplayName("the actor of an action is the token's principal, with the X-Baton-Actor name when given")
    void actor() {
        HttpResponse<String> started = seen(s.post("/api/sagas", "{\"type\":\"test-ops\",\"data\":{\"mode\":\"park\",\"amount\":1}}",
                "Authorization", bearer(API)));
        String id = json(started).get("id").asText();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> json(s.get("/api/sagas/" + id, "Authorization", bearer(READ))).get("status").asText(), "PENDING"::equals);
        assertThat(seen(s.post("/api/sagas/" + id + "/resume", "{\"reason\":\"nudge\"}", "Authorization", bearer(API))).statusCode())
                .isEqualTo(200);
        assertThat(seen(s.post("/api/sagas/" + id + "/abort", "{\"reason\":\"stop\"}", "Authorization", bearer(API),
                "X-Baton-Actor", "bob@example.com")).statusCode()).isEqualTo(200);
        List<String> actions = new ArrayList<>();
        json(seen(s.get("/api/sagas/" + id + "/history", "Authorization", bearer(READ)))).get("items").forEach(h -> {
            if (h.get("kind").asText().equals("OPERATOR_ACTION")) {
                actions.add(h.get("detail").asText());
            }
        });
        assertThat(actions).containsExactly("RESUME by api-token: nudge", "ABORT by bob@example.com (api-token): stop");
    }

    @Test
    @Order(Integer.MAX_VALUE) // after the others, whose responses and logs it checks too
    @DisplayName("health, metrics and the API description stay open; no token shows in any response or in the log")
    void openEndpointsAndNoLeaks() {
        assertThat(seen(s.get("/health/live")).statusCode()).isEqualTo(200);
        assertThat(seen(s.get("/health/ready")).statusCode()).isEqualTo(200);
        assertThat(seen(s.get("/metrics")).statusCode()).isEqualTo(200);
        assertThat(seen(s.get("/api/openapi.json")).statusCode()).isEqualTo(200);
        assertThat(seen(s.get("/api/nothing")).statusCode()).isEqualTo(401);

        assertThat(s.server.config().describe()).contains("baton.api.token = ****", "baton.api.read-token = ****")
                .doesNotContain(API, READ);
        assertThat(bodies).isNotEmpty().allSatisfy(b -> assertThat(b).doesNotContain(API, READ));
        List<String> lines = logged.list.stream().map(e -> e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage())).toList();
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("starting Baton with settings"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("GET /api/sagas -> 401"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("PENDING"));
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain(API, READ));
    }
}
