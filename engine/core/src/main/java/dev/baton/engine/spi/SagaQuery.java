package dev.baton.engine.spi;

import dev.baton.engine.SagaStatus;
import java.time.Instant;

/**
 * A filter over saga instances, newest first (by creation time, then id), one page at a time. Every filter is
 * optional (null = any); the filters given must all match (AND). Time ranges include their start and exclude their
 * end, and compare with the instants as the store keeps them (to the microsecond at least). Immutable.
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
 * @param after the cursor of the previous page ({@link SagaPage#nextCursor()}), or null for the first page. Pass it
 *              with the same filters that produced it. The next page holds the matches strictly after that page's
 *              last saga in this order, so sagas created since (which sort before it) never shift later pages, and
 *              updates never move a saga (creation time is fixed). A cursor the store did not issue makes
 *              {@link SagaStore#query} throw {@link IllegalArgumentException}
 * @param limit page size, 1 to 1000
 * @since 0.1
 */
public record SagaQuery(String type, SagaStatus status, String pendingState, String businessKey, Instant createdFrom,
                        Instant createdTo, Instant updatedFrom, Instant updatedTo, Instant stuckBefore, String after,
                        int limit) {
    /** The largest page a store must serve. */
    public static final int MAX_LIMIT = 1000;

    public SagaQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be within 1.." + MAX_LIMIT + ", but was " + limit);
        }
    }

    /** Every saga, first page of {@code limit}. */
    public static SagaQuery all(int limit) {
        return new SagaQuery(null, null, null, null, null, null, null, null, null, null, limit);
    }

    public SagaQuery withType(String t) {
        return new SagaQuery(t, status, pendingState, businessKey, createdFrom, createdTo, updatedFrom, updatedTo, stuckBefore, after, limit);
    }

    public SagaQuery withStatus(SagaStatus s) {
        return new SagaQuery(type, s, pendingState, businessKey, createdFrom, createdTo, updatedFrom, updatedTo, stuckBefore, after, limit);
    }

    public SagaQuery withPendingState(String p) {
        return new SagaQuery(type, status, p, businessKey, createdFrom, createdTo, updatedFrom, updatedTo, stuckBefore, after, limit);
    }

    public SagaQuery withBusinessKey(String k) {
        return new SagaQuery(type, status, pendingState, k, createdFrom, createdTo, updatedFrom, updatedTo, stuckBefore, after, limit);
    }

    public SagaQuery withCreated(Instant from, Instant to) {
        return new SagaQuery(type, status, pendingState, businessKey, from, to, updatedFrom, updatedTo, stuckBefore, after, limit);
    }

    public SagaQuery withUpdated(Instant from, Instant to) {
        return new SagaQuery(type, status, pendingState, businessKey, createdFrom, createdTo, from, to, stuckBefore, after, limit);
    }

    public SagaQuery withStuckBefore(Instant t) {
        return new SagaQuery(type, status, pendingState, businessKey, createdFrom, createdTo, updatedFrom, updatedTo, t, after, limit);
    }

    public SagaQuery withAfter(String cursor) {
        return new SagaQuery(type, status, pendingState, businessKey, createdFrom, createdTo, updatedFrom, updatedTo, stuckBefore, cursor, limit);
    }
}
