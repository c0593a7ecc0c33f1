package dev.baton.testkit;

import dev.baton.dsl.MessageType;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.TimerRecord;
import dev.baton.jackson.JacksonCodec;
import dev.baton.protocol.Headers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Unit-tests saga definitions without Kafka or a database: a real engine over an in-memory store and
 * transport (or a store you give it), a manual clock, and simulated participants.
 *
 * <p>Two ways to drive it, which can be mixed:
 * <ul>
 * <li>by hand: {@code kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-1"))}, then
 *     {@code kit.advance(Duration)} to let timers fire;</li>
 * <li>automatically: {@code kit.when(AuthorizePayment.class, cmd -> Answer.busy("promotion"))} for each command
 *     type, then {@link #settle()} runs every saga until nothing more can happen, jumping the clock to the next
 *     timer when idle. {@link Faults} duplicate, reorder, delay or drop replies on the way, and
 *     {@link #assertInvariants()} checks afterwards that no effect happened twice and compensation was right.</li>
 * </ul>
 * Simulated participants behave like ones built with an idempotency record: a command's effect is applied
 * once per message id and a redelivered command gets the recorded answer; a compensation that arrives before
 * its forward command is recorded and the late forward command refused. Not thread-safe: one test, one kit.
 *
 * @since 0.1
 */
public final class SagaTestKit implements AutoCloseable {
    private static final int SETTLE_LIMIT = 200_000;

    private final ManualClock clock = ManualClock.atEpochOfTests();
    private final Supplier<SagaStore> stores;
    private final List<SagaDefinition<?>> definitions;
    private final SagaListener listener;
    private final Function<? super ManualClock, ? extends CommandGate> gates;
    private CommandGate gate;
    private final JacksonCodec codec = new JacksonCodec();
    private SagaStore store;
    private InMemoryTransport transport;
    private SagaEngine engine;
    private EngineControls controls;
    private final List<OutboxRecord> unanswered = new ArrayList<>();
    private final List<OutboxRecord> sentLog = new ArrayList<>();
    private final List<SagaId> started = new ArrayList<>();
    private final SimulatedParticipants participants = new SimulatedParticipants(clock, codec);
    private final FaultyReplies replies = new FaultyReplies(clock); // on their way to the engine

    private SagaTestKit(Supplier<SagaStore> stores, List<SagaDefinition<?>> definitions, SagaListener listener,
                        Function<? super ManualClock, ? extends CommandGate> gates) {
        this.stores = stores;
        this.definitions = List.copyOf(definitions);
        this.listener = Objects.requireNonNull(listener, "listener");
        this.gates = Objects.requireNonNull(gates, "gates");
        boot();
    }

    private SagaTestKit(Supplier<SagaStore> stores, List<SagaDefinition<?>> definitions, SagaListener listener) {
        this(stores, definitions, listener, c -> CommandGate.OPEN);
    }

    private void boot() {
        store = stores.get();
        transport = new InMemoryTransport();
        gate = Objects.requireNonNull(gates.apply(clock), "the gate factory returned null");
        engine = SagaEngine.builder().store(store).transport(transport).codec(codec).clock(clock)
                .listener(listener).commandGate(gate).register(definitions.toArray(SagaDefinition<?>[]::new)).build();
        controls = EngineControls.of(engine);
        gate.prepare(controls.participants());
        transport.bind(controls.replies());
    }

    /** A kit over an in-memory store. */
    public static SagaTestKit with(SagaDefinition<?>... definitions) {
        return with(SagaListener.NOOP, definitions);
    }

    /**
     * A kit over an in-memory store whose engine reports to {@code listener} (a metrics binding under test, say).
     * The listener is called as the engine calls it in production: after each commit, on the thread that drives
     * the kit. It stays attached across {@link #restart()}.
     */
    public static SagaTestKit with(SagaListener listener, SagaDefinition<?>... definitions) {
        InMemorySagaStore store = new InMemorySagaStore();
        return new SagaTestKit(() -> store, List.of(definitions), listener);
    }

    /**
     * A kit over an in-memory store whose engine asks a {@link CommandGate} (circuit breakers per participant) made by
     * {@code gates} from the kit's clock, so that breakers wait on virtual time. A {@link #restart()} makes a new gate,
     * as a new process would: gate state lives in memory.
     */
    public static SagaTestKit withGate(Function<? super ManualClock, ? extends CommandGate> gates,
                                       SagaDefinition<?>... definitions) {
        InMemorySagaStore store = new InMemorySagaStore();
        return new SagaTestKit(() -> store, List.of(definitions), SagaListener.NOOP, gates);
    }

    /** A kit over the given store (an H2 store, say), closed with the kit. */
    public static SagaTestKit on(SagaStore store, SagaDefinition<?>... definitions) {
        return new SagaTestKit(() -> store, List.of(definitions), SagaListener.NOOP);
    }

    /**
     * A kit over stores made by {@code stores}: the first on creation, a new one at each {@link #restart()}, all
     * on the same database (a file H2 store, say), so a restart loses everything the engine held in memory.
     */
    public static SagaTestKit on(Supplier<SagaStore> stores, SagaDefinition<?>... definitions) {
        return new SagaTestKit(stores, List.of(definitions), SagaListener.NOOP);
    }

    /**
     * Stops the engine as a process stop would (closing its store and transport) and starts a new engine on a new
     * store from the factory. The simulated participants keep their state, commands already sent stay sent, and
     * replies on their way are delivered to the new engine. Outbox rows the old engine had not handed to the
     * transport are re-sent by the new engine's sweeper, as at start-up.
     */
    public void restart() {
        collect();
        engine.close();
        boot();
        controls.sweepOutbox(Duration.ZERO);
    }

    /** Makes the transport refuse sends (true) or accept them (false): the outbox keeps what it could not send. */
    public void failSends(boolean fail) {
        transport.failSends(fail);
    }

    /** Injects these faults into automatic runs from now on. */
    public SagaTestKit withFaults(Faults faults) {
        replies.use(Objects.requireNonNull(faults, "faults"));
        return this;
    }

    /** Simulated participants answer commands of this type with {@code answer} during {@link #settle()}. */
    public <C> SagaTestKit when(Class<C> commandType, Function<? super C, Answer> answer) {
        participants.when(commandType, answer);
        return this;
    }

    // ---------------------------------------------------------------- driving

    /** Starts a saga. */
    public <D> SagaId start(SagaDefinition<D> definition, D data) {
        return start(definition, data, null);
    }

    /** Starts a saga with a business key (idempotent). */
    public <D> SagaId start(SagaDefinition<D> definition, D data, String businessKey) {
        SagaId id = engine.start(definition, data, businessKey).id();
        if (!started.contains(id)) {
            started.add(id);
        }
        return id;
    }

    /**
     * Takes the oldest unanswered command of this type (answered by hand, not by {@link #when}).
     *
     * @throws AssertionError listing what is outstanding when there is none
     */
    public <C> SentCommand<C> expectCommand(Class<C> type) {
        collect();
        String name = MessageType.Names.of(type);
        for (Iterator<OutboxRecord> it = unanswered.iterator(); it.hasNext(); ) {
            OutboxRecord r = it.next();
            if (r.messageType().equals(name)) {
                it.remove();
                return new SentCommand<>(this, r, codec.decode(r.payload(), type));
            }
        }
        throw new AssertionError("expected a " + name + " command, but the outstanding commands are "
                + unanswered.stream().map(r -> r.messageType() + " (step " + r.headers().get(Headers.STEP) + ")").toList());
    }

    /** Asserts no command is waiting for a hand-written answer. */
    public void expectNoCommand() {
        collect();
        if (!unanswered.isEmpty()) {
            throw new AssertionError("expected no outstanding command, but found "
                    + unanswered.stream().map(OutboxRecord::messageType).toList());
        }
    }

    /** Moves the virtual clock and fires every timer (and delivers every delayed reply) now due. */
    public void advance(Duration d) {
        clock.advance(d);
        drainDue();
    }

    /**
     * Runs until nothing more can happen: commands go to the {@link #when} responders, replies travel through the
     * faults, and the clock jumps to the next timer or delayed reply whenever all is idle. Commands with no
     * responder stay outstanding for {@link #expectCommand}.
     *
     * @throws AssertionError when the sagas do not settle within a generous bound of steps
     */
    public void settle() {
        run(null);
    }

    /**
     * Like {@link #settle()}, but stops before the virtual clock would pass {@code now + span}: sagas are left
     * mid-flight, with commands and replies on their way (to {@link #restart()} the engine there, say).
     */
    public void runFor(Duration span) {
        run(clock.instant().plus(span));
    }

    private void run(Instant end) {
        for (int i = 0; i < SETTLE_LIMIT; i++) {
            boolean progressed = deliverCommands();
            progressed |= drainDue();
            if (progressed) {
                continue;
            }
            Instant next = nextEventAt();
            if (next == null || (end != null && next.isAfter(end))) {
                return;
            }
            clock.advanceTo(next);
        }
        throw new AssertionError("sagas did not settle within " + SETTLE_LIMIT + " steps; statuses: " + statuses());
    }

    private boolean drainDue() {
        boolean any = false;
        while (true) {
            boolean round = false;
            for (InboundReply r : replies.takeDue()) {
                transport.reply(List.of(r));
                round = true;
            }
            if (controls.fireDueTimers() > 0) {
                round = true;
            }
            if (!round) {
                return any;
            }
            any = true;
        }
    }

    private Instant nextEventAt() {
        Instant next = replies.nextAt();
        List<TimerRecord> timers = store.dueTimers(clock.instant().plus(Duration.ofDays(3650)), 1);
        if (!timers.isEmpty() && (next == null || timers.get(0).fireAt().isBefore(next))) {
            next = timers.get(0).fireAt();
        }
        Instant flow = controls.nextFlowRelease().orElse(null);
        if (flow != null && (next == null || flow.isBefore(next))) {
            next = flow;
        }
        return next;
    }

    private void collect() {
        List<OutboxRecord> taken = transport.take();
        sentLog.addAll(taken);
        unanswered.addAll(taken);
    }

    private boolean deliverCommands() {
        collect();
        boolean any = false;
        for (Iterator<OutboxRecord> it = unanswered.iterator(); it.hasNext(); ) {
            OutboxRecord r = it.next();
            if (!participants.answersByItself(r)) {
                continue;
            }
            it.remove();
            any = true;
            int copies = replies.commandCopies();
            for (int c = 0; c < copies; c++) {
                InboundReply reply = participants.answerByItself(r);
                if (reply != null) {
                    replies.send(reply);
                }
            }
        }
        return any;
    }

    /** A hand-written answer from {@link SentCommand}: applied by the simulated participant and delivered at once. */
    void reply(OutboxRecord r, Answer answer) {
        InboundReply reply = participants.participate(r, answer);
        if (reply != null) {
            transport.reply(List.of(reply));
        }
    }

    // ---------------------------------------------------------------- inspecting

    /** The engine under test. */
    public SagaEngine engine() {
        return engine;
    }

    /** The engine's {@link CommandGate}: the one made at the last boot (or {@link CommandGate#OPEN}). */
    public CommandGate gate() {
        return gate;
    }

    /** The virtual clock. */
    public ManualClock clock() {
        return clock;
    }

    /** Every command the engine sent (re-sends included), in order, across restarts. */
    public List<OutboxRecord> sent() {
        collect();
        return List.copyOf(sentLog);
    }

    /** Every saga started through this kit, in order. */
    public List<SagaId> started() {
        return List.copyOf(started);
    }

    public SagaView saga(SagaId id) {
        return engine.find(id).orElseThrow(() -> new AssertionError("no saga " + id));
    }

    public SagaStatus status(SagaId id) {
        return saga(id).status();
    }

    public <D> D data(SagaId id, Class<D> type) {
        return saga(id).data(type);
    }

    public List<HistoryRecord> history(SagaId id) {
        return engine.history(id);
    }

    /** Effects the simulated participants applied, in order. */
    public List<Effect> effects() {
        return List.copyOf(participants.effects());
    }

    /** Effects applied for one saga, in order. */
    public List<Effect> effects(SagaId id) {
        return participants.effects().stream().filter(e -> e.sagaId().equals(id)).toList();
    }

    /** The steps whose compensations took effect for this saga, in the order they did. */
    public List<String> compensatedSteps(SagaId id) {
        return effects(id).stream().filter(Effect::compensation).map(Effect::step).toList();
    }

    /** Count of sagas by status. */
    public Map<SagaStatus, Long> statuses() {
        return started.stream().map(this::status).collect(Collectors.groupingBy(s -> s, LinkedHashMap::new, Collectors.counting()));
    }

    /**
     * Checks, for every saga started through the kit: it is terminal, or visibly PENDING or FAILED with a reason;
     * no participant effect happened twice; a COMPLETED saga has every forward effect once and no compensation; a
     * COMPENSATED saga has undone every step that took effect and has a compensation, in reverse order; no step
     * was compensated twice; no command was sent after the saga ended.
     *
     * @return the violations found, empty when all hold
     */
    public List<String> invariantViolations() {
        collect();
        return SagaInvariants.all(started, sentLog, this::saga, this::effects, this::history, definitions);
    }

    /** Throws an AssertionError listing every violated invariant. */
    public void assertInvariants() {
        List<String> v = invariantViolations();
        if (!v.isEmpty()) {
            throw new AssertionError(v.size() + " saga invariant(s) violated:\n  " + String.join("\n  ", v));
        }
    }

    @Override
    public void close() {
        engine.close();
    }
}
