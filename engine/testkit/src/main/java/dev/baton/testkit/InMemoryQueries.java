package dev.baton.testkit;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaPage;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The saga queries of an {@link InMemorySagaStore}: filters, page order and cursors, counts. The store calls the
 * methods that read sagas under its lock. Stateless.
 */
final class InMemoryQueries {

    /** Oldest first: creation time, then id, both ascending. */
    private static final Comparator<SagaRecord> OLDEST_FIRST = Comparator.comparing(SagaRecord::createdAt)
            .thenComparing(s -> s.id().value());
    /** Newest first, the default: both descending. */
    private static final Comparator<SagaRecord> NEWEST_FIRST = OLDEST_FIRST.reversed();

    private InMemoryQueries() {}

    /** Where a query's page starts: null for the first page. Throws for a cursor this store did not issue. */
    static Position after(SagaQuery query) {
        return query.after() == null ? null : Position.decode(query.after());
    }

    /** The sagas of the page, plus one more when there is a next page. */
    static List<SagaRecord> select(Collection<SagaRecord> sagas, SagaQuery query, Position after) {
        boolean oldestFirst = query.order() == SagaQuery.Order.OLDEST_FIRST;
        return sagas.stream().filter(s -> matches(query, s))
                .filter(s -> after == null || (oldestFirst ? after.placeOf(s) > 0 : after.placeOf(s) < 0))
                .sorted(oldestFirst ? OLDEST_FIRST : NEWEST_FIRST).limit(query.limit() + 1L).toList();
    }

    /** The page of {@link #select}'s rows, with a cursor when there are more. */
    static SagaPage page(List<SagaRecord> rows, int limit) {
        if (rows.size() <= limit) {
            return new SagaPage(rows, null);
        }
        List<SagaRecord> items = rows.subList(0, limit);
        return new SagaPage(items, Position.of(items.get(items.size() - 1)).encode());
    }

    private static boolean matches(SagaQuery q, SagaRecord s) {
        return (q.type() == null || q.type().equals(s.type()))
                && (q.status() == null || q.status() == s.status())
                && (q.pendingState() == null || q.pendingState().equals(s.pendingState()))
                && (q.businessKey() == null || q.businessKey().equals(s.businessKey()))
                && (q.createdFrom() == null || !s.createdAt().isBefore(q.createdFrom()))
                && (q.createdTo() == null || s.createdAt().isBefore(q.createdTo()))
                && (q.updatedFrom() == null || !s.updatedAt().isBefore(q.updatedFrom()))
                && (q.updatedTo() == null || s.updatedAt().isBefore(q.updatedTo()))
                && (q.stuckBefore() == null || !s.status().isTerminal() && s.updatedAt().isBefore(q.stuckBefore()));
    }

    /** One group of {@link #counts}: a saga type, a status and, for PENDING, the pending state. */
    record Group(String type, SagaStatus status, String pendingState) {}

    /** How many sagas fall in each group. */
    static Map<Group, Long> group(Collection<SagaRecord> sagas) {
        return sagas.stream().collect(Collectors.groupingBy(
                s -> new Group(s.type(), s.status(), s.status() == SagaStatus.PENDING ? s.pendingState() : null),
                Collectors.counting()));
    }

    static List<SagaCount> counts(Map<Group, Long> groups) {
        return groups.entrySet().stream()
                .map(e -> new SagaCount(e.getKey().type(), e.getKey().status(), e.getKey().pendingState(),
                        e.getValue()))
                .toList();
    }

    /**
     * A query cursor: the creation time and id of the last saga on a page, encoded as base64url of
     * {@code "<createdAt epoch second>:<nano>:<id>"}.
     */
    record Position(Instant createdAt, SagaId id) {
        private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

        static Position of(SagaRecord s) {
            return new Position(s.createdAt(), s.id());
        }

        String encode() {
            String text = createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + id.value();
            return ENCODER.encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }

        static Position decode(String token) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8)
                        .split(":", 3);
                if (parts.length != 3) {
                    throw new IllegalArgumentException("expected seconds:nanos:id");
                }
                int nanos = Integer.parseInt(parts[1]);
                if (nanos < 0 || nanos > 999_999_999) {
                    throw new IllegalArgumentException("nanos out of range");
                }
                return new Position(Instant.ofEpochSecond(Long.parseLong(parts[0]), nanos), SagaId.of(parts[2]));
            } catch (IllegalArgumentException | DateTimeException e) {
                throw new IllegalArgumentException("invalid cursor: pass the nextCursor of a previous page unchanged",
                        e);
            }
        }

        /**
         * Where {@code s} lies from this position in {@link #OLDEST_FIRST} order: negative before it, positive after
         * it, 0 at it (the saga of the position itself).
         */
        int placeOf(SagaRecord s) {
            int byTime = s.createdAt().compareTo(createdAt);
            return byTime != 0 ? byTime : s.id().value().compareTo(id.value());
        }
    }
}
