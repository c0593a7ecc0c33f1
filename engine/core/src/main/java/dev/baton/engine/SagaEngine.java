package dev.baton.engine;

import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.spi.HistoryRecord;
import java.util.List;
import java.util.Optional;

/**
 * Starts, steers and queries sagas. Create one per application with {@link #builder()}, {@link #open()} it
 * to start consuming replies, firing timers and dispatching the outbox, and share it: it is thread-safe.
 *
 * <pre>{@code
 * SagaEngine engine = SagaEngine.builder()
 *     .store(JdbiSagaStore.h2File(Path.of("data")))
 *     .transport(transport)
 *     .codec(new JacksonCodec())
 *     .register(OrderSaga.DEFINITION)
 *     .build();
 * engine.open();
 * StartResult r = engine.start(OrderSaga.DEFINITION, new OrderData(...), "order-42");
 * }</pre>
 *
 * @since 0.1
 */
public interface SagaEngine extends AutoCloseable {

    /** A builder; see {@link SagaEngineBuilder} for the settings and their defaults. */
    static SagaEngineBuilder builder() {
        return new SagaEngineBuilder();
    }

    /** Starts the background work: reply consumption, the timer poller, the outbox dispatcher and sweeper. */
    void open();

    /** Starts a saga without a business key. The first command is in the outbox when this returns. */
    <D> StartResult start(SagaDefinition<D> definition, D data);

    /**
     * Starts a saga, idempotently: when a saga of this type was started with {@code businessKey} before,
     * its id is returned with {@code created == false} and nothing new happens.
     *
     * @param businessKey the client's idempotency key (an order id, say), or null for none; 1 to 200 characters of
     *     valid Unicode (no lone surrogates)
     * @throws SagaDefinitionMismatchException when the definition was not registered
     * @throws InvalidSagaDataException when the data fails a validation the definition declares
     *     ({@link dev.baton.dsl.SagaBuilder#validate}); nothing is stored
     * @throws IllegalArgumentException when the business key is blank, too long or not valid Unicode
     */
    <D> StartResult start(SagaDefinition<D> definition, D data, String businessKey);

    /**
     * Starts a saga from JSON data, for callers that know the saga only by its type name (the REST API, the Kafka
     * start topic). The data is decoded strictly ({@link dev.baton.engine.spi.Codec#decodeStrictly}) into the data
     * type of the newest registered version of {@code sagaType}, then checked by the definition's validations.
     * Idempotent with a business key, like {@link #start(SagaDefinition, Object, String)}.
     *
     * @throws SagaDefinitionMismatchException when no definition of that type is registered
     * @throws SagaCodecException when the data does not map onto the saga's data type ({@link SagaCodecException#field()}
     *     names where), or fails a validation ({@link InvalidSagaDataException}); nothing is stored
     */
    StartResult start(String sagaType, String dataJson, String businessKey);

    /** A snapshot of the saga, if it exists. */
    Optional<SagaView> find(SagaId id);

    /** The saga's history, oldest first. */
    List<HistoryRecord> history(SagaId id);

    /**
     * An operator action, recorded in the history with who and why.
     *
     * @throws SagaNotFoundException when there is no such saga
     * @throws SagaActionRejectedException when the action does not apply to the saga's present state
     */
    SagaView act(SagaId id, OperatorAction action, String actor, String reason);

    /**
     * Every participant's flow control as this node sees it: limit, in flight, waiting, since when the first waits.
     * Empty when flow control is off.
     *
     * @since 0.4
     */
    default List<FlowView> flows() {
        return List.of();
    }

    /**
     * What operators change while the engine runs: version rollouts (gray release), step and participant policies,
     * and what each version has in flight. Shared by every node on the same store.
     *
     * @throws UnsupportedOperationException when the engine's store keeps no live settings
     * @since 0.8
     */
    default LiveControls live() {
        throw new UnsupportedOperationException(getClass().getName() + " has no live settings");
    }

    /** Stops background work and closes the transport and the store given to the builder. */
    @Override
    void close();
}
