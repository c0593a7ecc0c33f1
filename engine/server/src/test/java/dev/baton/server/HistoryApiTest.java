package dev.baton.server;

import static dev.baton.server.SagaApiTest.assertProblem;
import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A saga's history over HTTP: pages with a cursor, and the counters of entries the store folded away. */
@ExtendWith({KafkaBrokerExtension.class, ServerExtension.class})
class HistoryApiTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int RESUMES = 20;
    private static TestServer s;

    @BeforeAll
    static void server(TestServer server) {
        s = server;
    }

    @Test
    @DisplayName("a saga resumed and parked again 20 times: the detail holds the latest 20 entries and folded counters;"
            + " /history pages back to STARTED")
    void pagesAndFolds() {
        String id = s.start("test-ops", "{\"mode\":\"park\",\"amount\":1}", null);
        await().atMost(WAIT).until(() -> s.status(id), "PENDING"::equals);
        for (int i = 1; i <= RESUMES; i++) {
            HttpResponse<String> r = s.post("/api/sagas/" + id + "/resume", "{\"reason\":\"try " + i + "\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            int sent = i + 1;
            await("send " + sent + " parked again").atMost(WAIT).until(() -> json(s.get("/api/sagas/" + id)),
                    d -> d.get("status").asText().equals("PENDING")
                            && d.get("steps").get(0).get("command").get("attempts").asInt() >= sent);
        }

        JsonNode detail = json(s.get("/api/sagas/" + id));
        JsonNode latest = detail.get("history");
        assertThat(latest.get("items")).hasSize(20);
        assertThat(latest.get("nextBefore").isNumber()).as("older entries exist").isTrue();
        assertThat(latest.get("folded")).as("repeated sends, replies, parks and resumes were folded").isNotEmpty();
        long foldedSends = 0;
        for (JsonNode f : latest.get("folded")) {
            assertThat(f.get("count").asLong()).isPositive();
            if (f.get("kind").asText().equals("COMMAND_SENT")) {
                foldedSends += f.get("count").asLong();
            }
        }
        assertThat(foldedSends).isPositive();
        assertThat(detail.get("steps").get(0).get("command").get("attempts").asInt())
                .as("attempts count the folded sends too").isEqualTo(RESUMES + 1);

        List<JsonNode> all = new ArrayList<>();
        String path = "/api/sagas/" + id + "/history?limit=7";
        JsonNode page = json(s.get(path));
        assertThat(page.get("folded")).isEqualTo(latest.get("folded"));
        while (true) {
            assertThat(page.get("items").size()).isBetween(1, 7);
            List<JsonNode> items = new ArrayList<>();
            page.get("items").forEach(items::add);
            all.addAll(0, items);
            if (page.get("nextBefore").isNull()) {
                break;
            }
            page = json(s.get(path + "&before=" + page.get("nextBefore").asLong()));
        }
        assertThat(all.getFirst().get("kind").asText()).isEqualTo("STARTED");
        assertThat(all).extracting(n -> n.get("seq").asLong()).isSorted().doesNotHaveDuplicates();
        assertThat(all.subList(all.size() - 20, all.size())).containsExactlyElementsOf(iterable(latest.get("items")));
        assertThat(all).filteredOn(n -> n.get("kind").asText().equals("OPERATOR_ACTION"))
                .as("operator actions are never folded").hasSize(RESUMES);
    }

    @Test
    @DisplayName("bad history parameters are 400 problems naming the parameter")
    void badParameters() {
        String id = s.start("test-ops", "{\"mode\":\"decline\"}", null);
        assertProblem(s.get("/api/sagas/" + id + "/history?limit=0"), 400, "invalid-request", "limit must be an integer from 1 to 1000");
        assertProblem(s.get("/api/sagas/" + id + "/history?limit=1001"), 400, "invalid-request", "but was 1001");
        assertProblem(s.get("/api/sagas/" + id + "/history?before=x"), 400, "invalid-request", "before must be an integer");
        assertProblem(s.get("/api/sagas/" + id + "/history?before=0"), 400, "invalid-request", "before");
        assertProblem(s.get("/api/sagas/" + id + "/history?after=3"), 400, "invalid-request", "after");
        assertProblem(s.get("/api/sagas/no-such-saga/history?limit=5"), 404, "saga-not-found", "no-such-saga");
        assertThat(s.get("/api/sagas/" + id + "/history?before=1").statusCode()).isEqualTo(200);
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
