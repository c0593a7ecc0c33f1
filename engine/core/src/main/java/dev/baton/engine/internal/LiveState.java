package dev.baton.engine.internal;

import dev.baton.dsl.InvalidSagaDefinitionException;
import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepPolicy;
import dev.baton.engine.EngineNode;
import dev.baton.engine.LiveControls;
import dev.baton.engine.LiveSettingRejectedException;
import dev.baton.engine.PolicyOverride;
import dev.baton.engine.Rollout;
import dev.baton.engine.VersionReport;
import dev.baton.engine.spi.LiveSetting;
import dev.baton.engine.spi.NodeRecord;
import dev.baton.engine.spi.SettingChange;
import dev.baton.engine.spi.VersionCount;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings operators change at run time, as this node follows them: read from the store every poll (and at once
 * after a change made here), applied to the running definitions (step policies), the command gate (participant
 * settings) and the choice of version for new sagas (rollouts). Also this node's entry in the node list, refreshed
 * every poll, and the check for versions with unended sagas that this node lacks. Thread-safe: the state is one
 * immutable snapshot, replaced whole.
 */
public final class LiveState implements LiveControls {
    private static final Logger log = LoggerFactory.getLogger(LiveState.class);

    static final String ROLLOUT = "rollout";
    static final String STEP = "step-policy";
    static final String PARTICIPANT = "participant-policy";
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9._:+\\-]{1,200}");

    private record Snapshot(String raw, Map<String, Rollout> rollouts, Map<String, PolicyOverride> steps,
                            Map<String, PolicyOverride> participants, List<NodeRecord> nodes) {
        static final Snapshot EMPTY = new Snapshot("", Map.of(), Map.of(), Map.of(), List.of());
    }

    private final EngineSettings settings;
    private final Duration poll;
    private final Duration nodeLive;
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private volatile List<VersionReport> missing = List.of();
    private volatile Instant openedAt;

    public LiveState(EngineSettings settings, Duration poll) {
        this.settings = settings;
        this.poll = poll;
        Duration threePolls = poll.multipliedBy(3);
        this.nodeLive = threePolls.compareTo(Duration.ofSeconds(10)) > 0 ? threePolls : Duration.ofSeconds(10);
    }

    /** At open: enters the node list, reads the settings, checks for versions this node lacks. */
    public void open() {
        openedAt = settings.clock().instant();
        tick();
        checkMissing();
        if (!missing.isEmpty()) {
            for (VersionReport r : missing) {
                log.error("saga '{}' v{} has {} saga(s) not ended ({}) but this node has not registered it: it cannot"
                                + " apply their replies or fire their timers. Register that version"
                                + " (SagaEngineBuilder.register) until its sagas have ended", r.type(), r.version(),
                        r.unended(), r.places().stream().map(p -> p.status() + (p.step() == null ? "" : " at " + p.step())
                                + (p.pendingState() == null ? "" : " in " + p.pendingState()) + ": " + p.count()).toList());
            }
        }
    }

    /** Every poll: the heartbeat, then the settings. */
    public void tick() {
        settings.store().heartbeat(settings.nodeName(), settings.definitions().signature(), openedAt,
                settings.clock().instant());
        refresh();
    }

    /** At close: leaves the node list. */
    public void close() {
        try {
            settings.store().leave(settings.nodeName());
        } catch (RuntimeException e) {
            log.debug("could not leave the node list", e);
        }
    }

    public Duration poll() {
        return poll;
    }

    // ------------------------------------------------------------------ starting

    /**
     * The definition a new saga starts on: the rollout's pick for its business key when the type has a rollout and the
     * picked version is registered here and takes the data; else {@code requested}.
     */
    public SagaDefinition<?> choose(SagaDefinition<?> requested, Object data, String businessKey) {
        Rollout r = snapshot.rollouts().get(requested.type());
        if (r == null) {
            return requested;
        }
        int v = r.versionFor(businessKey == null ? ThreadLocalRandom.current().nextInt(100)
                : Rollout.bucket(requested.type(), businessKey));
        if (v == requested.version()) {
            return requested;
        }
        if (settings.definitions().versions(requested.type()).contains(v)) {
            SagaDefinition<?> picked = settings.definitions().get(requested.type(), v, null);
            if (data == null || picked.dataType().isInstance(data)) {
                return picked;
            }
        }
        return requested;
    }

    /** For a start by type name: the rollout's pick when registered here, else the newest version. */
    public Optional<SagaDefinition<?>> chooseByType(String type, String businessKey) {
        Optional<SagaDefinition<?>> latest = settings.definitions().latest(type);
        return latest.map(d -> choose(d, null, businessKey));
    }

    // ------------------------------------------------------------------ reading the store

    @Override
    public void refresh() {
        List<LiveSetting> rows = settings.store().liveSettings();
        List<NodeRecord> nodes = settings.store().nodes();
        StringBuilder raw = new StringBuilder();
        for (LiveSetting s : rows) {
            raw.append(s.kind()).append('\u0000').append(s.target()).append('\u0000').append(s.value()).append('\u0001');
        }
        Snapshot before = snapshot;
        if (raw.toString().equals(before.raw())) {
            snapshot = new Snapshot(before.raw(), before.rollouts(), before.steps(), before.participants(), nodes);
            return;
        }
        Map<String, Rollout> rollouts = new TreeMap<>();
        Map<String, PolicyOverride> steps = new TreeMap<>();
        Map<String, PolicyOverride> participants = new TreeMap<>();
        for (LiveSetting s : rows) {
            try {
                switch (s.kind()) {
                    case ROLLOUT -> rollouts.put(s.target(), new Rollout(s.target(), decodeWeights(s.value()),
                            s.changedBy(), s.reason(), s.changedAt()));
                    case STEP -> {
                        int slash = s.target().indexOf('/');
                        steps.put(s.target(), new PolicyOverride(s.target().substring(0, slash),
                                s.target().substring(slash + 1), decodePolicy(s.value()), null, null, s.changedBy(),
                                s.reason(), s.changedAt()));
                    }
                    case PARTICIPANT -> participants.put(s.target(), new PolicyOverride(null, null, null, s.target(),
                            decodeMap(s.value()), s.changedBy(), s.reason(), s.changedAt()));
                    default -> log.warn("live setting of unknown kind '{}' for '{}' ignored (written by a newer node?)",
                            s.kind(), s.target());
                }
            } catch (RuntimeException e) {
                log.warn("live setting {} of '{}' cannot be read and is ignored: '{}' ({})", s.kind(), s.target(),
                        s.value(), e.getMessage());
            }
        }
        Map<String, Map<String, StepPolicy>> byType = new TreeMap<>();
        steps.values().forEach(o -> byType.computeIfAbsent(o.type(), t -> new LinkedHashMap<>()).put(o.step(), o.policy()));
        settings.definitions().apply(byType);
        Map<String, Map<String, String>> gate = new TreeMap<>();
        participants.values().forEach(o -> gate.put(o.participant(), o.settings()));
        try {
            settings.gate().applyPolicies(gate);
        } catch (RuntimeException e) {
            log.warn("the command gate refused the participant settings {}: {}", gate, e.getMessage());
        }
        snapshot = new Snapshot(raw.toString(), Map.copyOf(rollouts), Map.copyOf(steps), Map.copyOf(participants), nodes);
        if (!before.raw().equals(raw.toString())) {
            log.info("live settings now: rollouts {}, step policies {}, participant settings {}",
                    rollouts.values().stream().map(r -> r.type() + " " + r.weights()).toList(),
                    steps.values().stream().map(o -> o.type() + "/" + o.step() + " {" + o.policy() + "}").toList(),
                    gate);
        }
    }

    /** How long the node list keeps a node that stopped refreshing its entry (killed, not closed). */
    static final Duration FORGET_AFTER = Duration.ofHours(1);

    /** Recomputes {@link #missingVersions()}, and forgets nodes dead for an hour; every half minute and at open. */
    public void checkMissing() {
        settings.store().forgetNodes(settings.clock().instant().minus(FORGET_AFTER));
        List<VersionReport> lacking = new ArrayList<>();
        for (VersionReport r : versions()) {
            if (!r.registeredHere() && r.unended() > 0) {
                lacking.add(r);
            }
        }
        if (!lacking.isEmpty() && !lacking.equals(missing)) {
            log.warn("this node lacks saga version(s) with sagas not ended: {}", lacking.stream()
                    .map(r -> r.type() + " v" + r.version() + " (" + r.unended() + ")").toList());
        }
        missing = List.copyOf(lacking);
    }

    // ------------------------------------------------------------------ LiveControls

    @Override
    public List<Rollout> rollouts() {
        return List.copyOf(new TreeMap<>(snapshot.rollouts()).values());
    }

    @Override
    public Optional<Rollout> rollout(String type) {
        return Optional.ofNullable(snapshot.rollouts().get(type));
    }

    @Override
    public Rollout setRollout(String type, Map<Integer, Integer> weights, String actor, String reason) {
        checkActor(actor, reason);
        SortedSet<Integer> here = settings.definitions().versions(type);
        if (here.isEmpty()) {
            throw invalid("no saga of type '" + type + "' is registered on this node; registered types: "
                    + settings.definitions().all().stream().map(SagaDefinition::type).distinct().sorted().toList());
        }
        if (weights == null || weights.isEmpty()) {
            throw invalid("give a weight (percent) for at least one version of '" + type + "', such as {\""
                    + here.last() + "\": 100}; registered versions: " + here);
        }
        int sum = 0;
        for (Map.Entry<Integer, Integer> e : weights.entrySet()) {
            if (e.getKey() == null || !here.contains(e.getKey())) {
                throw invalid("version " + e.getKey() + " of '" + type + "' is not registered on this node; registered"
                        + " versions: " + here);
            }
            if (e.getValue() == null || e.getValue() < 0 || e.getValue() > 100) {
                throw invalid("the weight of v" + e.getKey() + " must be a whole percent from 0 to 100, but was "
                        + e.getValue());
            }
            sum += e.getValue();
        }
        if (sum != 100) {
            throw invalid("the weights of '" + type + "' must add up to 100 (percent), but add up to " + sum + ": "
                    + new TreeMap<>(weights));
        }
        refresh();
        Instant now = settings.clock().instant();
        List<String> lacking = new ArrayList<>();
        for (NodeRecord n : snapshot.nodes()) {
            if (!live(n, now)) {
                continue;
            }
            SortedSet<Integer> theirs = Definitions.parseSignature(n.definitions()).getOrDefault(type, new TreeSet<>());
            for (Map.Entry<Integer, Integer> e : weights.entrySet()) {
                if (e.getValue() > 0 && !theirs.contains(e.getKey())) {
                    lacking.add(n.node() + " (has v" + theirs + ", lacks v" + e.getKey() + ")");
                }
            }
        }
        if (!lacking.isEmpty()) {
            throw new LiveSettingRejectedException("live engine node(s) " + lacking + " could not apply the replies"
                    + " of '" + type + "' sagas started on a version they lack; register the version on every node"
                    + " (a rolling restart) first, then set the weights", true);
        }
        settings.store().changeLiveSetting(ROLLOUT, type, encodeWeights(weights), actor, reason, now);
        refresh();
        return rollout(type).orElseThrow();
    }

    @Override
    public void clearRollout(String type, String actor, String reason) {
        checkActor(actor, reason);
        settings.store().changeLiveSetting(ROLLOUT, type, null, actor, reason, settings.clock().instant());
        refresh();
    }

    @Override
    public List<VersionReport> versions() {
        Instant now = settings.clock().instant();
        Snapshot s = snapshot;
        Map<String, TreeMap<Integer, List<VersionCount>>> counts = new TreeMap<>();
        for (VersionCount c : settings.store().unendedByVersion()) {
            counts.computeIfAbsent(c.type(), t -> new TreeMap<>()).computeIfAbsent(c.version(), v -> new ArrayList<>()).add(c);
        }
        Map<String, TreeSet<Integer>> all = new TreeMap<>();
        for (SagaDefinition<?> d : settings.definitions().all()) {
            all.computeIfAbsent(d.type(), t -> new TreeSet<>()).add(d.version());
        }
        List<NodeRecord> liveNodes = s.nodes().stream().filter(n -> live(n, now)).toList();
        Map<String, Map<String, SortedSet<Integer>>> nodeDefs = new TreeMap<>();
        for (NodeRecord n : liveNodes) {
            Map<String, SortedSet<Integer>> defs = Definitions.parseSignature(n.definitions());
            nodeDefs.put(n.node(), defs);
            defs.forEach((type, versions) -> all.computeIfAbsent(type, t -> new TreeSet<>()).addAll(versions));
        }
        counts.forEach((type, byVersion) -> all.computeIfAbsent(type, t -> new TreeSet<>()).addAll(byVersion.keySet()));
        List<VersionReport> out = new ArrayList<>();
        all.forEach((type, versions) -> {
            Rollout r = s.rollouts().get(type);
            for (int v : versions) {
                List<String> with = new ArrayList<>();
                List<String> without = new ArrayList<>();
                nodeDefs.forEach((node, defs) -> (defs.getOrDefault(type, new TreeSet<>()).contains(v) ? with : without)
                        .add(node));
                List<VersionCount> here = counts.getOrDefault(type, new TreeMap<>()).getOrDefault(v, List.of());
                out.add(new VersionReport(type, v, settings.definitions().versions(type).contains(v),
                        r == null ? null : r.weights().getOrDefault(v, 0), with, without,
                        here.stream().mapToLong(VersionCount::count).sum(),
                        here.stream().map(c -> new VersionReport.Place(c.status(), c.step(), c.pendingState(), c.count()))
                                .toList()));
            }
        });
        return out;
    }

    @Override
    public List<EngineNode> nodes() {
        Instant now = settings.clock().instant();
        return snapshot.nodes().stream().map(n -> new EngineNode(n.node(), Definitions.parseSignature(n.definitions()),
                n.startedAt(), n.seenAt(), live(n, now))).toList();
    }

    @Override
    public List<VersionReport> missingVersions() {
        return missing;
    }

    @Override
    public List<PolicyOverride> policies() {
        Snapshot s = snapshot;
        List<PolicyOverride> out = new ArrayList<>(s.steps().values());
        out.addAll(s.participants().values());
        return out;
    }

    @Override
    public PolicyOverride setStepPolicy(String type, String step, StepPolicy policy, String actor, String reason) {
        checkActor(actor, reason);
        Objects.requireNonNull(policy, "policy");
        if (policy.isEmpty()) {
            throw invalid("the policy of step '" + step + "' sets nothing; give at least one of timeout, retry,"
                    + " compensationRetry, parkRetryEvery, parkGiveUpAfter (or reset the step to its definition)");
        }
        try {
            settings.definitions().check(type, Map.of(step, policy));
        } catch (InvalidSagaDefinitionException e) {
            throw invalid(String.join("; ", e.problems()));
        }
        settings.store().changeLiveSetting(STEP, type + "/" + step, encodePolicy(policy), actor, reason,
                settings.clock().instant());
        refresh();
        return Objects.requireNonNull(snapshot.steps().get(type + "/" + step));
    }

    @Override
    public void resetStepPolicy(String type, String step, String actor, String reason) {
        checkActor(actor, reason);
        settings.store().changeLiveSetting(STEP, type + "/" + step, null, actor, reason, settings.clock().instant());
        refresh();
    }

    @Override
    public PolicyOverride setParticipantPolicy(String participant, Map<String, String> values, String actor,
                                               String reason) {
        checkActor(actor, reason);
        if (!settings.definitions().participants().contains(participant)) {
            throw invalid("no registered saga sends commands to participant '" + participant + "'; participants: "
                    + settings.definitions().participants());
        }
        if (values == null || values.isEmpty()) {
            throw invalid("give at least one setting for participant '" + participant + "' (or reset it)");
        }
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || !WORD.matcher(e.getKey()).matches()
                    || !WORD.matcher(e.getValue()).matches()) {
                throw invalid("setting '" + e.getKey() + "' = '" + e.getValue() + "' is not a name and value of"
                        + " letters, digits and . _ : + -");
            }
        }
        try {
            settings.gate().checkPolicy(participant, values);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        settings.store().changeLiveSetting(PARTICIPANT, participant, encodeMap(values), actor, reason,
                settings.clock().instant());
        refresh();
        return Objects.requireNonNull(snapshot.participants().get(participant));
    }

    @Override
    public void resetParticipantPolicy(String participant, String actor, String reason) {
        checkActor(actor, reason);
        settings.store().changeLiveSetting(PARTICIPANT, participant, null, actor, reason, settings.clock().instant());
        refresh();
    }

    @Override
    public List<SettingChange> changes(int limit) {
        return settings.store().settingChanges(Math.max(1, Math.min(limit, 1_000)));
    }

    // ------------------------------------------------------------------ encoding

    private boolean live(NodeRecord n, Instant now) {
        return !n.seenAt().plus(nodeLive).isBefore(now);
    }

    private static void checkActor(String actor, String reason) {
        if (actor == null || actor.isBlank() || reason == null || reason.isBlank()) {
            throw invalid("a change of a live setting needs an actor and a reason");
        }
    }

    private static LiveSettingRejectedException invalid(String message) {
        return new LiveSettingRejectedException(message, false);
    }

    static String encodeWeights(Map<Integer, Integer> weights) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(weights).forEach((v, w) -> b.append(b.isEmpty() ? "" : ",").append(v).append('=').append(w));
        return b.toString();
    }

    static TreeMap<Integer, Integer> decodeWeights(String text) {
        TreeMap<Integer, Integer> out = new TreeMap<>();
        int sum = 0;
        for (String part : text.split(",")) {
            String[] kv = part.split("=", 2);
            int w = Integer.parseInt(kv[1].strip());
            out.put(Integer.parseInt(kv[0].strip()), w);
            sum += w;
        }
        if (sum != 100) {
            throw new IllegalArgumentException("weights add up to " + sum + ", not 100");
        }
        return out;
    }

    static String encodePolicy(StepPolicy p) {
        Map<String, String> m = new LinkedHashMap<>();
        if (p.timeout() != null) {
            m.put("timeout", p.timeout().toString());
        }
        if (p.retry() != null) {
            m.put("retry", RetryText.format(p.retry()));
        }
        if (p.compensationRetry() != null) {
            m.put("compensationRetry", RetryText.format(p.compensationRetry()));
        }
        if (p.parkRetryEvery() != null) {
            m.put("parkRetryEvery", p.parkRetryEvery().toString());
        }
        if (p.parkGiveUpAfter() != null) {
            m.put("parkGiveUpAfter", p.parkGiveUpAfter().toString());
        }
        return encodeMap(m);
    }

    static StepPolicy decodePolicy(String text) {
        Map<String, String> m = decodeMap(text);
        return new StepPolicy(duration(m.get("timeout")), RetryText.parseOrNull(m.get("retry")),
                RetryText.parseOrNull(m.get("compensationRetry")), duration(m.get("parkRetryEvery")),
                duration(m.get("parkGiveUpAfter")));
    }

    private static Duration duration(String text) {
        return text == null ? null : Duration.parse(text);
    }

    static String encodeMap(Map<String, String> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.isEmpty() ? "" : "&").append(k).append('=').append(v));
        return b.toString();
    }

    static Map<String, String> decodeMap(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return out;
        }
        for (String part : text.split("&")) {
            String[] kv = part.split("=", 2);
            out.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        return out;
    }
}
