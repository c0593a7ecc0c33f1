package dev.baton.engine.internal;

import dev.baton.protocol.ErrorReports;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.FlowView;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaActionRejectedException;
import dev.baton.engine.SagaCodecException;
import dev.baton.engine.LiveControls;
import dev.baton.engine.SagaDefinitionMismatchException;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.SagaView;
import dev.baton.engine.StartResult;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's façade: wires the collaborators that each hold one job (see docs/architecture.md, "Inside the
 * engine") and runs the periodic ones on a scheduler while open. Thread-safe.
 */
public final class DefaultSagaEngine implements SagaEngine, EngineControls {
    private static final Logger log = LoggerFactory.getLogger(DefaultSagaEngine.class);
    private static final Duration OPEN_SWEEP_AGE = Duration.ofSeconds(1);
    private static final Duration MISSING_VERSIONS_EVERY = Duration.ofSeconds(30);
    /** How often the inbox and ended sagas are purged: often enough that each purge deletes a minute's worth. */
    private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

    private final EngineSettings settings;
    private final SagaRecordMapper mapper;
    private final SagaTracing tracing;
    private final GateAdvisor gate;
    private final OutboxDispatcher outbox;
    private final EventApplier events;
    private final StartBatcher starts;
    private final ReplyApplier replies;
    private final TimerFirer timers;
    private final Housekeeping housekeeping;
    private final LiveState live;
    private final AtomicBoolean open = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private ScheduledExecutorService scheduler;

    public DefaultSagaEngine(EngineSettings s) {
        this.settings = s;
        SagaLocks locks = new SagaLocks();
        tracing = SagaTracing.of(s.openTelemetry(), s.transport(), s.clock());
        mapper = new SagaRecordMapper(s.definitions(), s.codec(), s.ids(), s.exceptionMessagesInReasons(),
                s.historyPayloads(), tracing);
        gate = new GateAdvisor(s.gate(), new FlowControl(s.flow(), s.store(), s.clock(), s.nodeName(),
                s.definitions().participants()));
        outbox = new OutboxDispatcher(s.store(), s.transport(), s.listener(), s.clock(), s.lease());
        AfterCommit afterCommit = new AfterCommit(gate, s.listener(), outbox, new UserErrorLog(ErrorReports.ofDefaults()),
                tracing);
        events = new EventApplier(s.store(), s.clock(), locks, mapper, gate, afterCommit, s.conflictRetries());
        starts = new StartBatcher(s.store(), s.clock(), mapper, gate, afterCommit, s.conflictRetries());
        replies = new ReplyApplier(s.store(), s.clock(), locks, mapper, gate, afterCommit, events, new DeadLetters(s.ids()));
        timers = new TimerFirer(s.store(), s.clock(), mapper, gate, events, s.lease(), s.timerBatchSize(),
                s.conflictRetries(), s.timeoutGrace());
        live = new LiveState(s, s.liveSettingsPoll());
        housekeeping = new Housekeeping(s.store(), s.clock(), s.inboxRetention(), s.endedRetention(), s.failedRetention());
    }

    @Override
    public void open() {
        if (!open.compareAndSet(false, true)) {
            return;
        }
        outbox.open();
        scheduler = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("baton-engine-", 0).factory());
        Set<String> destinations = participants();
        settings.transport().prepare(destinations);
        gate.prepare(destinations);
        timers.holdTimeouts(false);
        boolean liveSettings = openLive();
        // Rows left by a previous run (a crash between commit and acknowledgement) go out first. Not the newest:
        // with several nodes, those are other nodes' commands still being sent.
        Duration age = settings.sweepAge();
        outbox.sweep(age.compareTo(OPEN_SWEEP_AGE) < 0 ? age : OPEN_SWEEP_AGE);
        settings.transport().start(replies());
        every(settings.timerPollInterval(), Duration.ZERO, "timer poll", () -> timers.fireAllDue(closed::get));
        if (gate.flow().enabled()) {
            gate.flow().start(gate.gate(), timers::fireAdmittedAll);
            every(settings.flow().tick(), settings.flow().tick(), "flow control", this::flowTick);
        }
        Duration inboxEvery = housekeeping.inboxPurgePeriod(PURGE_EVERY);
        every(inboxEvery, inboxEvery, "inbox purge", housekeeping::purgeInbox);
        if (housekeeping.purgesEnded()) {
            Duration every = housekeeping.purgePeriod(PURGE_EVERY);
            every(every, every, "purge of ended sagas", housekeeping::purgeEndedQuietly);
        }
        every(settings.sweepInterval(), settings.sweepInterval(), "outbox sweep", () -> outbox.sweep(settings.sweepAge()));
        if (liveSettings) {
            every(live.poll(), live.poll(), "live settings", live::tick);
            every(MISSING_VERSIONS_EVERY, MISSING_VERSIONS_EVERY, "check for missing versions", live::checkMissing);
        }
        log.info("Baton engine open: {} saga definition(s): {}", settings.definitions().all().size(),
                settings.definitions().all().stream().map(d -> d.type() + " v" + d.version()).toList());
    }

    /** Opens the live settings; false when the store keeps none (they are then off). */
    private boolean openLive() {
        try {
            live.open();
            return true;
        } catch (UnsupportedOperationException e) {
            log.info("live settings are off: {}", e.getMessage());
            return false;
        } catch (RuntimeException e) {
            log.warn("could not read the live settings at open; trying again every {}", live.poll(), e);
            return true;
        }
    }

    /** Runs {@code job} every {@code period}; a failure is logged and the job runs again next period. */
    private void every(Duration period, Duration initialDelay, String what, Runnable job) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                job.run();
            } catch (RuntimeException e) {
                log.warn("{} failed; retrying in {}", what, period, e);
            }
        }, initialDelay.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        outbox.closing();
        gate.flow().stop();
        if (scheduler != null) {
            // Let a running timer poll or sweep finish its transaction rather than interrupt it: an interrupt in the
            // middle of a write can close an embedded database's file channel (H2) and lose what followed.
            scheduler.shutdown();
            awaitQuietly(scheduler);
            if (!scheduler.isTerminated()) {
                scheduler.shutdownNow();
                awaitQuietly(scheduler);
            }
        }
        if (open.get()) {
            // after the scheduler: a heartbeat tick still running would otherwise write this node back into the list
            live.close();
        }
        try {
            gate.flow().close();
            settings.transport().close();
        } finally {
            tracing.close();
            outbox.close();
            settings.store().close();
        }
    }

    private static void awaitQuietly(ScheduledExecutorService ex) {
        try {
            ex.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public <D> StartResult start(SagaDefinition<D> definition, D data) {
        return start(definition, data, null);
    }

    @Override
    public <D> StartResult start(SagaDefinition<D> definition, D data, String businessKey) {
        // matched by type and version: an equal definition built again (another class loader, a test) is the same saga
        SagaDefinition<?> registered = settings.definitions().get(definition.type(), definition.version(), null);
        return startOn(live.choose(registered, data, businessKey), data, businessKey);
    }

    private StartResult startOn(SagaDefinition<?> definition, Object data, String businessKey) {
        StartChecks.check(definition, data, businessKey);
        return starts.start(definition, data, businessKey, settings.ids().get());
    }

    @Override
    @SuppressWarnings("unchecked")
    public StartResult start(String sagaType, String dataJson, String businessKey) {
        Definitions definitions = settings.definitions();
        SagaDefinition<Object> def = (SagaDefinition<Object>) live.chooseByType(sagaType, businessKey)
                .orElseThrow(() -> SagaDefinitionMismatchException.unknownType(sagaType,
                        definitions.all().stream().map(SagaDefinition::type).toList()));
        if (dataJson == null || dataJson.isBlank()) {
            throw new SagaCodecException("saga '" + sagaType + "' needs data (a JSON object), but got none", null);
        }
        return startOn(def, settings.codec().decodeStrictly(dataJson, def.dataType()), businessKey);
    }

    @Override
    public LiveControls live() {
        return live;
    }

    @Override
    public Optional<SagaView> find(SagaId id) {
        return settings.store().find(id).map(mapper::view);
    }

    @Override
    public List<HistoryRecord> history(SagaId id) {
        return settings.store().history(id);
    }

    @Override
    public SagaView act(SagaId id, OperatorAction action, String actor, String reason) {
        if (actor == null || actor.isBlank() || reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("an operator action needs an actor and a reason");
        }
        EventApplier.Applied applied = events.apply(id, new SagaEvent.Operator(action, actor, reason));
        if (applied.missing()) {
            throw new SagaNotFoundException(id);
        }
        if (applied.decision() != null && applied.decision().rejected() != null) {
            throw new SagaActionRejectedException(id, action, applied.decision().rejected());
        }
        return find(id).orElseThrow(() -> new SagaNotFoundException(id));
    }

    // ------------------------------------------------------------------ EngineControls

    @Override
    public int fireDueTimers() {
        int fired = timers.fireDue();
        return fired + flowTick();
    }

    @Override
    public int flowTick() {
        return gate.flow().tick(gate.gate(), timers::fireAdmittedAll);
    }

    @Override
    public Optional<Instant> nextFlowRelease() {
        return Optional.ofNullable(gate.flow().nextReleaseAfter(settings.clock().instant()));
    }

    @Override
    public List<FlowView> flows() {
        return gate.flow().views().stream().map(v -> new FlowView(v.participant(), v.limit(), v.inFlight(),
                v.waiting(), v.oldestWaiting(), v.leader(), v.released(), v.heldBack(),
                Duration.ofNanos(v.leader() ? v.paceNanos() : 0))).toList();
    }

    @Override
    public int sweepOutbox(Duration age) {
        return outbox.sweep(age);
    }

    @Override
    public int purgeInbox() {
        return housekeeping.purgeInbox();
    }

    @Override
    public int purgeEnded() {
        return housekeeping.purgeEnded();
    }

    @Override
    public Transport.ReplySink replies() {
        return new Transport.ReplySink() {
            @Override
            public List<Transport.RejectedReply> accept(List<InboundReply> batch) {
                return replies.accept(batch);
            }

            @Override
            public void takingOver() {
                timers.holdTimeouts(true);
            }

            @Override
            public void readingStalled(boolean stalled) {
                timers.readingStalled(stalled);
            }
        };
    }

    @Override
    public Set<String> participants() {
        return settings.definitions().participants();
    }
}
