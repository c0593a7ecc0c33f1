package dev.baton.participant;

import java.util.function.Supplier;

/**
 * Who begins and ends the SDK's transactions, for a service whose transactions a framework manages (Spring's
 * {@code PlatformTransactionManager}, say). By default the SDK runs them itself, on a JDBI handle at READ COMMITTED.
 * With a boundary, every transaction of the SDK (one command, one batch, one purge) runs inside
 * {@link #inTransaction(Supplier)}: the SDK opens its JDBI handle in there, on a connection from the store's
 * {@link JdbiIdempotencyStore.Builder#connectionFactory connection factory} (which must hand out the connection the
 * framework bound to the thread), finds it already in a transaction, and joins it; the boundary commits. So the
 * handler's writes through the framework ({@code JdbcTemplate}, JPA, jOOQ on the same data source) and the SDK's
 * record are one transaction.
 *
 * <p>The Spring Boot starter ({@code baton-participant-spring-boot-starter}) provides both halves.
 *
 * <p>Rules for an implementation:
 * <ul>
 * <li>Begin a new transaction (never join one the caller has open: the SDK is called from its transport's thread),
 *     at READ COMMITTED, or the isolation the database gives by default when that is READ COMMITTED.</li>
 * <li>Commit when {@code work} returns; roll back and rethrow when it throws (any {@link RuntimeException} or
 *     {@link Error}). The SDK signals "roll back" only by throwing.</li>
 * <li>Let exceptions of the commit itself escape, with the {@link java.sql.SQLException} in their cause chain: the
 *     SDK classifies it (contention is retried, an unreachable database is reported as {@link Unavailable}).</li>
 * </ul>
 * JDBI's {@code Handle.afterCommit} callbacks do not run under a boundary (JDBI does not commit); use the
 * framework's own after-commit hook.
 *
 * @since 0.6
 */
public interface TransactionBoundary {
    /**
     * Runs {@code work} in a new transaction: commits when it returns, rolls back when it throws.
     *
     * @return what {@code work} returned
     */
    <T> T inTransaction(Supplier<T> work);
}
