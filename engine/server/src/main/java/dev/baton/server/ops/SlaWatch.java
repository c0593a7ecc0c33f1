package dev.baton.server.ops;

import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's recent step and saga durations against their SLAs ({@code .sla(Duration)} in the DSL), fed by the
 * engine's events: each step's successful reply ({@link #onStepCompleted}, the time from its command first sent, as
 * {@code baton.step.duration} measures) and each saga's end, COMPLETED or COMPENSATED ({@link #onEnded}). Kept in
 * {@link SlidingWindow}s per saga type and step, for {@code GET /api/slas}.
 *
 * <p><b>The warning.</b> When, over the last {@code warnWindow}, at least {@code warnMinSamples} durations of a step (or
 * of a saga type) were measured and more than {@code warnRatio} of them were later than the SLA, one line is logged at
 * WARN on the logger {@value #LOGGER}; the next for the same step no sooner than {@code warnWindow} later, however many
 * sagas breach meanwhile. Steps and sagas without an SLA never warn.
 *
 * <p>Of several versions of a saga type, the highest version's SLAs count. Per node: each engine node measures the
 * replies it applies. Thread-safe; the events come from engine threads.
 *
 * @since 0.7
 */
public final class SlaWatch implements SagaListener {
    /** The logger of the breach warnings. */
    public static final String LOGGER = "dev.baton.sla";
    /** Counter of a series' window: durations measured. */
    static final int MEASURED = 0;
    /** Counter of a series' window: durations later than the SLA. */
    static final int BREACHED = 1;

    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final Clock clock;
    private final double warnRatio;
    private final int warnMinSamples;
    private final Duration warnWindow;
    /** Saga types in definition order, each with its steps in order. */
    private final Map<String, TypeSeries> types = new ConcurrentHashMap<>();
    private final List<String> typeOrder;

    public SlaWatch(Collection<? extends SagaDefinition<?>> definitions, double warnRatio, int warnMinSamples,
                    Duration warnWindow, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.warnRatio = warnRatio;
        this.warnMinSamples = warnMinSamples;
        this.warnWindow = Objects.requireNonNull(warnWindow, "warnWindow");
        Map<String, SagaDefinition<?>> latest = new LinkedHashMap<>();
        for (SagaDefinition<?> d : definitions) {
            latest.merge(d.type(), d, (a, b) -> a.version() >= b.version() ? a : b);
        }
        latest.forEach((type, d) -> types.put(type, new TypeSeries(d)));
        this.typeOrder = List.copyOf(latest.keySet());
    }

    @Override
    public void onStepCompleted(SagaId id, String sagaType, String step, Duration took) {
        TypeSeries t = sagaType == null ? null : types.get(sagaType);
        if (t == null || step == null) {
            return;
        }
        Series s = t.steps.computeIfAbsent(step, k -> new Series(sagaType, k, null, null));
        s.record(clock.instant(), took);
    }

    @Override
    public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
        TypeSeries t = sagaType == null ? null : types.get(sagaType);
        if (t != null && (outcome == SagaStatus.COMPLETED || outcome == SagaStatus.COMPENSATED)) {
            t.saga.record(clock.instant(), took);
        }
    }

    /** Every saga type (highest version) with its steps and their figures, as of now. */
    public List<TypeView> view() {
        Instant now = clock.instant();
        List<TypeView> out = new ArrayList<>();
        for (String type : typeOrder) {
            TypeSeries t = types.get(type);
            List<StepView> steps = new ArrayList<>();
            List<Series> series;
            synchronized (t.steps) {
                series = List.copyOf(t.steps.values());
            }
            for (Series s : series) {
                steps.add(new StepView(s.step, s.participant, millis(s.target), s.windows(now)));
            }
            out.add(new TypeView(type, t.version, millis(t.saga.target), t.saga.windows(now), steps));
        }
        return out;
    }

    /** One saga type: its SLA (null for none) and figures, and its steps'. */
    public record TypeView(String type, int version, Long targetMs, Map<String, Figures> windows, List<StepView> steps) {}

    /** One step: its participant, its SLA (null for none) and figures. */
    public record StepView(String step, String participant, Long targetMs, Map<String, Figures> windows) {}

    /**
     * One window's figures: durations measured, how many were later than the SLA and their share (null without an
     * SLA or without durations), and the percentiles in milliseconds (null without durations).
     */
    public record Figures(long count, Long breaches, Double breachRatio, Double p50Ms, Double p95Ms, Double p99Ms) {}

    /** A window's name in the API: {@code 1m}, {@code 5m}, {@code 15m}. */
    public static String windowName(Duration window) {
        return window.toMinutes() + "m";
    }

    private static Long millis(Duration d) {
        return d == null ? null : d.toMillis();
    }

    /** The series of one saga type: the saga's own and its steps', in definition order. */
    private final class TypeSeries {
        final int version;
        final Series saga;
        final Map<String, Series> steps = java.util.Collections.synchronizedMap(new LinkedHashMap<>());

        TypeSeries(SagaDefinition<?> d) {
            this.version = d.version();
            this.saga = new Series(d.type(), null, null, d.sla().orElse(null));
            for (StepDefinition<?> s : d.steps()) {
                steps.put(s.key(), new Series(d.type(), s.key(), s.participant().name(), s.sla().orElse(null)));
            }
        }
    }

    /** The durations of one step (or of a saga type, step null), against its SLA (or none). */
    private final class Series {
        final String type;
        final String step;
        final String participant;
        final Duration target;
        final SlidingWindow window = new SlidingWindow(2);
        private Instant lastWarned;

        Series(String type, String step, String participant, Duration target) {
            this.type = type;
            this.step = step;
            this.participant = participant;
            this.target = target;
        }

        void record(Instant now, Duration took) {
            window.count(now, MEASURED);
            window.latency(now, took);
            if (target != null && took.compareTo(target) > 0) {
                window.count(now, BREACHED);
                maybeWarn(now);
            }
        }

        /** Warns when the breach ratio over the warn window is above the level, at most once per window. */
        private void maybeWarn(Instant now) {
            long[] c = window.counts(now, warnWindow);
            if (c[MEASURED] < warnMinSamples || c[BREACHED] <= warnRatio * c[MEASURED]) {
                return;
            }
            synchronized (this) {
                if (lastWarned != null && now.isBefore(lastWarned.plus(warnWindow))) {
                    return;
                }
                lastWarned = now;
            }
            double ratio = (double) c[BREACHED] / c[MEASURED];
            Double p95 = window.read(now, warnWindow).p95Ms();
            String what = step == null ? "saga '" + type + "' (start to end)"
                    : "step '" + step + "' of saga '" + type + "' (command to reply, participant " + participant + ")";
            log.warn("SLA missed: {} took longer than its SLA of {} ms in {} of the last {} measured in {} min ({} %, above"
                            + " the warn level of {} %); p95 {} ms. Next warning for it no sooner than in {} min",
                    what, target.toMillis(), c[BREACHED], c[MEASURED], warnWindow.toMinutes(), percent(ratio),
                    percent(warnRatio), p95 == null ? "-" : String.format(Locale.ROOT, "%.0f", p95),
                    warnWindow.toMinutes());
        }

        Map<String, Figures> windows(Instant now) {
            Map<String, Figures> out = new LinkedHashMap<>();
            for (Duration w : SlidingWindow.WINDOWS) {
                SlidingWindow.Reading r = window.read(now, w);
                long n = r.count(MEASURED);
                Long breaches = target == null ? null : r.count(BREACHED);
                Double ratio = target == null || n == 0 ? null : (double) r.count(BREACHED) / n;
                out.put(windowName(w), new Figures(n, breaches, ratio, r.p50Ms(), r.p95Ms(), r.p99Ms()));
            }
            return out;
        }
    }

    private static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.1f", ratio * 100);
    }
}
