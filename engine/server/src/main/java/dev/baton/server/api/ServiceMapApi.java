package dev.baton.server.api;

import static dev.baton.server.api.RequestParams.quoted;
import static dev.baton.server.api.RequestParams.singleParams;

import dev.baton.engine.SagaEngine;
import dev.baton.server.ops.ParticipantTraffic;
import dev.baton.server.ops.SlaWatch;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code GET /api/slas} (steps and sagas against their SLAs) and {@code GET /api/participants} (the service map): this
 * node's recent figures over windows of 1, 5 and 15 minutes, from {@link SlaWatch} and {@link ParticipantTraffic}, with
 * each participant's breaker, flow control and command-topic lag. Both take {@code window} ({@code 1m}, {@code 5m} or
 * {@code 15m}: only that window); {@code /api/slas} takes {@code type}, {@code /api/participants} {@code name}, to
 * report one saga type or participant. A bad parameter is a 400 problem; an unknown type or participant a 404.
 *
 * @since 0.7
 */
public final class ServiceMapApi {
    private static final List<String> WINDOWS = List.of("1m", "5m", "15m");

    private final SlaWatch slas;
    private final ParticipantTraffic traffic;
    private final SagaEngine engine;
    private final Supplier<Map<String, SagaApi.Breaker>> breakers;
    private final Function<String, Long> commandLag;
    private final Clock clock;

    /**
     * @param commandLag a participant's command-topic lag, or null when the transport cannot tell (called once per
     *                   participant per request: make it cheap)
     */
    public ServiceMapApi(SlaWatch slas, ParticipantTraffic traffic, SagaEngine engine,
                         Supplier<Map<String, SagaApi.Breaker>> breakers, Function<String, Long> commandLag, Clock clock) {
        this.slas = slas;
        this.traffic = traffic;
        this.engine = engine;
        this.breakers = breakers;
        this.commandLag = commandLag;
        this.clock = clock;
    }

    public void routes(RoutesConfig r) {
        r.get("/api/slas", this::slas);
        r.get("/api/participants", this::participants);
    }

    /** {@code GET /api/slas}: every saga type, or {@code type}'s, with its steps. */
    public record Slas(List<String> windows, List<SlaWatch.TypeView> types, Instant asOf) {}

    void slas(Context ctx) {
        Map<String, String> q = singleParams(ctx, Set.of("type", "window"));
        String window = window(q);
        List<SlaWatch.TypeView> types = slas.view();
        String type = q.get("type");
        if (type != null) {
            types = types.stream().filter(t -> t.type().equals(type)).toList();
            if (types.isEmpty()) {
                throw new ApiProblem(ApiProblem.Type.UNKNOWN_SAGA_TYPE, "no saga type " + quoted(type) + " is registered;"
                        + " known types: " + slas.view().stream().map(SlaWatch.TypeView::type).toList());
            }
        }
        if (window != null) {
            types = types.stream().map(t -> new SlaWatch.TypeView(t.type(), t.version(), t.targetMs(),
                    only(t.windows(), window), t.steps().stream().map(s -> new SlaWatch.StepView(s.step(),
                            s.participant(), s.targetMs(), only(s.windows(), window))).toList())).toList();
        }
        Json.write(ctx, 200, new Slas(window == null ? WINDOWS : List.of(window), types, clock.instant()));
    }

    /** {@code GET /api/participants}: every participant, or the one {@code name}s. */
    public record Participants(List<String> windows, List<Participant> participants, Instant asOf) {}

    /**
     * One participant: whether a definition names it (else it was only seen in traffic), the steps that send to it,
     * its traffic by window, when it last replied, its circuit breaker and flow control (null when it has none), and
     * how many commands wait unread in its command topic (null when the transport cannot tell).
     */
    public record Participant(String name, boolean declared, List<ParticipantTraffic.Use> usedBy,
                              Map<String, ParticipantTraffic.Window> windows, Instant lastReplyAt,
                              SagaApi.Breaker breaker, SagaApi.Flow flow, Long commandLag) {}

    void participants(Context ctx) {
        Map<String, String> q = singleParams(ctx, Set.of("name", "window"));
        String window = window(q);
        List<ParticipantTraffic.View> all = traffic.view();
        String name = q.get("name");
        List<ParticipantTraffic.View> views = name == null ? all
                : all.stream().filter(v -> v.name().equals(name)).toList();
        if (views.isEmpty() && name != null) {
            throw new ApiProblem(ApiProblem.Type.NOT_FOUND, "no participant " + quoted(name) + " is known; known"
                    + " participants: " + all.stream().map(ParticipantTraffic.View::name).toList());
        }
        Map<String, SagaApi.Breaker> b = breakers.get();
        Map<String, SagaApi.Flow> flows = SagaApi.flows(engine, clock);
        List<Participant> out = views.stream().map(v -> new Participant(v.name(), v.declared(), v.usedBy(),
                window == null ? v.windows() : only(v.windows(), window), v.lastReplyAt(), b.get(v.name()),
                flows.get(v.name()), commandLag.apply(v.name()))).toList();
        Json.write(ctx, 200, new Participants(window == null ? WINDOWS : List.of(window), out, clock.instant()));
    }

    private static String window(Map<String, String> q) {
        String w = q.get("window");
        if (w != null && !WINDOWS.contains(w)) {
            throw ApiProblem.invalid("window must be one of " + WINDOWS + ", but was " + quoted(w));
        }
        return w;
    }

    private static <T> Map<String, T> only(Map<String, T> windows, String window) {
        Map<String, T> out = new LinkedHashMap<>();
        out.put(window, windows.get(window));
        return out;
    }
}
