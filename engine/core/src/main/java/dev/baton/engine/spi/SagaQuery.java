package dev.baton.engine.spi;

import dev.baton.engine.SagaStatus;
import java.time.Instant;
import java.util.Objects;

/**
 * A filter over saga instances, in creation order (newest first unless {@link Order#OLDEST_FIRST} is asked for), one
 * page at a time. Every filter is optional (null = any); the filters given must all match (AND). Time ranges include
 * their start and exclude their end, and compare with the instants as the store keeps them (to the microsecond at
 * least). Immutable.
 *
 * @param type saga type
 * @param status status
 * @param pendingState the named pending state (implies nothing about status; combine with {@code PENDING})
 * @param businessKey exact business key
 * @param createdFrom created at or after
 * @param createdTo created before
 * @param updatedFrom last changed at or after
 * @param updatedTo last changed before
 * @param stuckBefore non-terminal instances (RUNNING, PENDING, COMPENSATING, FAILED) not changed since before this
 *                    instant: the stuck-instance query
 * @param order the page order, by creation time then id: {@link Order#NEWEST_FIRST} (null means this) or
 *              {@link Order#OLDEST_FIRST}. Since 0.9
 * @param after the cursor of the previous page ({@link SagaPage#nextCursor()}), or null for the first page. A cursor is
 *              valid only with the same filters and the same order as the query that produced it. The next page holds
 *              the matches strictly after that page's last saga in the chosen order: newest first, sagas created
 *              since sort before it and never shift later pages; oldest first, they sort after every saga seen so far
 *              and show up on the last pages. Updates never move a saga (creation time is fixed). A cursor the store
 *              did not issue makes {@link SagaStore#query} throw {@link IllegalArgumentException}
 * @param limit page size, 1 to 1000
 * @since 0.1
 */
public record SagaQuery(String type, SagaStatus status, String pendingState, String businessKey, Instant createdFrom,
                        Instant createdTo, Instant updatedFrom, Instant updatedTo, Instant stuckBefore, Order order,
                        String after, int limit) {
    /** The largest page a store must serve. */
    public static final int MAX_LIMIT = 1000;

    /**
     * The order of a query's pages, by creation time and then id (which breaks ties between sagas created at the same
     * instant).
     *
     * @since 0.9
     */
    public enum Order {
        /** Creation time descending, then id descending: the default. */
        NEWEST_FIRST,
        /** Creation time ascending, then id ascending. */
        OLDEST_FIRST
    }

    public SagaQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be within 1.." + MAX_LIMIT + ", but was " + limit);
        }
        order = Objects.requireNonNullElse(order, Order.NEWEST_FIRST);
    }

    /** A query newest first: the form before the order could be chosen. */
    public SagaQuery(String type, SagaStatus status, String pendingState, String businessKey, Instant createdFrom,
                     Instant createdTo, Instant updatedFrom, Instant updatedTo, Instant stuckBefore, String after,
                     int limit) {
        this(type, status, pendingState, businessKey, createdFrom, createdTo, updatedFrom, updatedTo, stuckBefore,
                Order.NEWEST_FIRST, after, limit);
    }

    /** Every saga, newest first, first page of {@code limit}. */
    public static SagaQuery all(int limit) {
        return new SagaQuery(null, null, null, null, null, null, null, null, null, Order.NEWEST_FIRST, null, limit);
    }

    public SagaQuery withType(String t) {
        return new SagaQuery(t, status, pendingState, businessKey, createdFrom, createdTo, updatedFrom, updatedTo, stuckBefore, order, after, limit);
    }

    public SagaQuery withStatus(SagaStatus s) {
        return new SagaQuery(type, s, pendingState, businessKey, createdFrom, createdTo, updatedFrom, updatedTo, stuckBefore, order, after, limit);
    }

    public SagaQuery withPendingState(String p) {
        return new SagaQuery(type, status, p, businessKey, createdFrom, createdTo, updatedFrom, updatedTo, stuckBefore, order, after, limit);
    }

    public SagaQuery withBusinessKey(String k) {
        return new SagaQuery(type, status, pendingState, k, createdFrom, createdTo, updatedFrom, updatedTo, stuckBefore, order, after, limit);
    }

    public SagaQuery withCreated(Instant from, Instant to) {
        return new SagaQuery(type, status, pendingState, businessKey, from, to, updatedFrom, updatedTo, stuckBefore, order, after, limit);
    }

    public SagaQuery withUpdated(Instant from, Instant to) {
        return new SagaQuery(type, status, pendingState, businessKey, createdFrom, createdTo, from, to, stuckBefore, order, after, limit);
    }

    public SagaQuery withStuckBefore(Instant t) {
        return new SagaQuery(type, status, pendingState, businessKey, createdFrom, createdTo, updatedFrom, updatedTo, t, order, after, limit);
    }

    /** This query in order {@code o} (null: newest first). Pass a cursor only with the order that produced it. @since 0.9 */
    public SagaQuery withOrder(Order o) {
        return new SagaQuery(type, status, pendingState, businessKey, createdFrom, createdTo, updatedFrom, updatedTo, stuckBefore, o, after, limit);
    }

    public SagaQuery withAfter(String cursor) {
        return new SagaQuery(type, status, pendingState, businessKey, createdFrom, createdTo, updatedFrom, updatedTo, stuckBefore, order, cursor, limit);
    }
}
