package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.moved;
import static dev.baton.testkit.StoreKitFixtures.saga;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaPage;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract, part 10 of 11: queries: filters, order and paging with cursors. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class QueriesContract extends StoreContract {

    /** The one and only page of {@code query} (which must fit in it): its ids in order. */
    private List<String> onePage(SagaQuery query) {
        SagaPage page = theStore().query(query);
        assertThat(page.nextCursor()).as("the cursor of a last page").isNull();
        return page.items().stream().map(StoreContract::idOf).toList();
    }

    /**
     * Nine sagas for the filter tests, inserted out of creation order. Created at 10..90 s, one each; last changed
     * as noted.
     */
    private void insertCatalogue() {
        insert(saga("a05", REFUND, SagaStatus.FAILED, null, "k5", at(50), at(70)),
                saga("a01", ORDER, SagaStatus.RUNNING, null, "k1", at(10), at(100)),
                saga("a09", ORDER, SagaStatus.PENDING, "AWAITING_BANK", "k9", at(90), at(95)),
                saga("a03", REFUND, SagaStatus.PENDING, "AWAITING_BANK", "k1", at(30), at(50)));
        insert(saga("a07", ORDER, SagaStatus.COMPENSATED, null, "k7", at(70), at(80)),
                saga("a02", ORDER, SagaStatus.PENDING, "AWAITING_STOCK", "k2", at(20), at(200)),
                saga("a08", REFUND, SagaStatus.RUNNING, null, "k8", at(80), at(90)),
                saga("a04", ORDER, SagaStatus.COMPLETED, null, null, at(40), at(60)),
                saga("a06", ORDER, SagaStatus.COMPENSATING, null, "k6", at(60), at(300)));
    }

    @Test
    @DisplayName("query: each filter alone selects exactly its sagas, newest first; time ranges include from and exclude to")
    void queryEachFilter() {
        insertCatalogue();
        SagaQuery all = SagaQuery.all(SagaQuery.MAX_LIMIT);

        assertThat(onePage(all)).containsExactly("a09", "a08", "a07", "a06", "a05", "a04", "a03", "a02", "a01");
        assertThat(onePage(all.withType(ORDER))).containsExactly("a09", "a07", "a06", "a04", "a02", "a01");
        assertThat(onePage(all.withType("no-such-type"))).isEmpty();
        assertThat(onePage(all.withStatus(SagaStatus.PENDING))).containsExactly("a09", "a03", "a02");
        assertThat(onePage(all.withStatus(SagaStatus.COMPLETED))).containsExactly("a04");
        assertThat(onePage(all.withPendingState("AWAITING_BANK"))).containsExactly("a09", "a03");
        assertThat(onePage(all.withBusinessKey("k1"))).as("the same key under two types").containsExactly("a03", "a01");
        assertThat(onePage(all.withCreated(at(30), at(70)))).containsExactly("a06", "a05", "a04", "a03");
        assertThat(onePage(all.withCreated(at(30), null))).containsExactly("a09", "a08", "a07", "a06", "a05", "a04",
                "a03");
        assertThat(onePage(all.withCreated(null, at(30)))).containsExactly("a02", "a01");
        assertThat(onePage(all.withUpdated(at(70), at(100)))).containsExactly("a09", "a08", "a07", "a05");
        assertThat(onePage(all.withUpdated(at(200), null))).containsExactly("a06", "a02");
        assertThat(onePage(all.withUpdated(null, at(60)))).containsExactly("a03");
        assertThat(onePage(all.withCreated(at(30), at(30)))).as("an empty range").isEmpty();
    }

    @Test
    @DisplayName("query: a time bound finer than a microsecond compares with the instant as stored")
    void querySubMicrosecondBounds() {
        insertCatalogue();
        SagaQuery all = SagaQuery.all(SagaQuery.MAX_LIMIT);
        Instant justAfter30 = at(30).plusNanos(1);

        assertThat(onePage(all.withCreated(justAfter30, at(50)))).as("created at 30 s is before the from bound")
                .containsExactly("a04");
        assertThat(onePage(all.withCreated(at(20), justAfter30))).as("created at 30 s is before the to bound")
                .containsExactly("a03", "a02");
        assertThat(onePage(all.withStuckBefore(at(50).plusNanos(1)))).as("changed at 50 s is before the bound")
                .containsExactly("a03");
    }

    @Test
    @DisplayName("query: stuckBefore selects RUNNING, PENDING, COMPENSATING and FAILED sagas last changed before it, never terminal or recent ones")
    void queryStuck() {
        List<SagaRecord> sagas = new ArrayList<>();
        int n = 0;
        for (SagaStatus status : SagaStatus.values()) {
            String name = status.name().toLowerCase(Locale.ROOT);
            String pending = status == SagaStatus.PENDING ? "AWAITING_STOCK" : null;
            sagas.add(saga("old-" + name, ORDER, status, pending, null, at(n++), at(100)));
            sagas.add(saga("cut-" + name, ORDER, status, pending, null, at(n++), at(200)));
            sagas.add(saga("new-" + name, ORDER, status, pending, null, at(n++), at(300)));
        }
        insert(sagas.toArray(SagaRecord[]::new));
        SagaQuery all = SagaQuery.all(SagaQuery.MAX_LIMIT);

        assertThat(onePage(all.withStuckBefore(at(200)))).as("changed strictly before the cut-off, not terminal")
                .containsExactly("old-failed", "old-compensating", "old-pending", "old-running");
        assertThat(onePage(all.withStuckBefore(at(100)))).isEmpty();
        assertThat(onePage(all.withStuckBefore(FAR_FUTURE))).containsExactly("new-failed", "cut-failed", "old-failed",
                "new-compensating", "cut-compensating", "old-compensating", "new-pending", "cut-pending",
                "old-pending", "new-running", "cut-running", "old-running");
        assertThat(onePage(all.withStuckBefore(FAR_FUTURE).withStatus(SagaStatus.COMPLETED))).isEmpty();
        assertThat(onePage(all.withStuckBefore(FAR_FUTURE).withStatus(SagaStatus.FAILED)))
                .containsExactly("new-failed", "cut-failed", "old-failed");
    }

    @Test
    @DisplayName("query: filters combine with AND")
    void queryCombinedFilters() {
        insertCatalogue();
        SagaQuery all = SagaQuery.all(SagaQuery.MAX_LIMIT);

        assertThat(onePage(all.withType(ORDER).withStatus(SagaStatus.PENDING))).containsExactly("a09", "a02");
        assertThat(onePage(all.withType(REFUND).withPendingState("AWAITING_BANK"))).containsExactly("a03");
        assertThat(onePage(all.withType(ORDER).withPendingState("AWAITING_STOCK").withStatus(SagaStatus.RUNNING)))
                .isEmpty();
        assertThat(onePage(all.withType(ORDER).withBusinessKey("k1"))).containsExactly("a01");
        assertThat(onePage(all.withType(REFUND).withBusinessKey("k2"))).isEmpty();
        assertThat(onePage(all.withStatus(SagaStatus.PENDING).withCreated(at(20), at(90))))
                .containsExactly("a03", "a02");
        assertThat(onePage(all.withCreated(at(10), at(60)).withUpdated(at(60), at(100))))
                .containsExactly("a05", "a04");
        assertThat(onePage(all.withType(ORDER).withStuckBefore(FAR_FUTURE)))
                .containsExactly("a09", "a06", "a02", "a01");
        assertThat(onePage(all.withType(REFUND).withStuckBefore(at(90)).withCreated(at(40), null)))
                .containsExactly("a05");
        SagaQuery everything = all.withType(ORDER).withStatus(SagaStatus.PENDING).withPendingState("AWAITING_STOCK")
                .withBusinessKey("k2").withCreated(at(20), at(21)).withUpdated(at(200), at(201))
                .withStuckBefore(at(201));
        assertThat(onePage(everything)).containsExactly("a02");
        assertThat(onePage(everything.withStuckBefore(at(200)))).isEmpty();
        assertThat(onePage(everything.withCreated(at(21), at(22)))).isEmpty();
        assertThat(onePage(everything.withUpdated(at(199), at(200)))).isEmpty();
    }

    @Test
    @DisplayName("query: newest first; sagas created at the same instant come by id, descending, on one page or many")
    void queryOrderAndTies() {
        insert(saga("t-b", ORDER, SagaStatus.RUNNING, null, null, at(5), at(5)),
                saga("z-old", ORDER, SagaStatus.RUNNING, null, null, at(4), at(50)),
                saga("t-d", ORDER, SagaStatus.COMPLETED, null, null, at(5), at(6)));
        insert(saga("a-new", ORDER, SagaStatus.RUNNING, null, null, at(6), at(6)),
                saga("t-a", ORDER, SagaStatus.RUNNING, null, null, at(5), at(40)),
                saga("t-c", ORDER, SagaStatus.RUNNING, null, null, at(5), at(5)));
        List<String> expected = List.of("a-new", "t-d", "t-c", "t-b", "t-a", "z-old");

        assertThat(onePage(SagaQuery.all(SagaQuery.MAX_LIMIT))).containsExactlyElementsOf(expected);
        for (int size = 1; size <= expected.size() + 1; size++) {
            assertThat(walk(SagaQuery.all(size), () -> {}).ids()).as("pages of %d", size)
                    .containsExactlyElementsOf(expected);
        }
    }

    /** The ids of every page of a query, in order, and how many pages there were. */
    private record Walk(List<String> ids, int pages) {}

    /**
     * Follows the cursors from {@code first} to the last page, running {@code betweenPages} before each next page.
     * Checks that every page but the last is full and has a cursor.
     */
    private Walk walk(SagaQuery first, Runnable betweenPages) {
        List<String> ids = new ArrayList<>();
        SagaQuery query = first;
        for (int pages = 1; ; pages++) {
            SagaPage page = theStore().query(query);
            List<String> pageIds = page.items().stream().map(StoreContract::idOf).toList();
            assertThat(pageIds).filteredOn(ids::contains).as("page %d repeats sagas of earlier pages", pages)
                    .isEmpty();
            ids.addAll(pageIds);
            if (page.nextCursor() == null) {
                return new Walk(ids, pages);
            }
            assertThat(page.items()).as("page %d has a cursor, so it is full", pages).hasSize(first.limit());
            assertThat(pages).as("pages so far (a cursor that does not advance?)").isLessThan(10_000);
            betweenPages.run();
            query = query.withAfter(page.nextCursor());
        }
    }

    @Test
    @DisplayName("query: paging by 1, 2 and 7 returns every match once, in order, while newer sagas arrive and sagas change between pages")
    void queryPagination() {
        Map<String, SagaRecord> model = new LinkedHashMap<>(); // every saga as stored now
        List<SagaRecord> initial = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            // three sagas per instant; ids, types and insertion order all shuffled against creation order
            String type = (i * 5) % 23 < 14 ? ORDER : REFUND;
            initial.add(saga(String.format(Locale.ROOT, "p%02d", (i * 7) % 23), type, SagaStatus.RUNNING, null,
                    null, at(i / 3), at(i / 3)));
        }
        for (int i = 0; i < 23; i++) {
            SagaRecord s = initial.get((i * 11) % 23);
            insert(s);
            model.put(idOf(s), s);
        }
        int[] changes = {0};
        Runnable churn = () -> {
            // a saga newer than any page so far (a refund: the orders stay 14, a multiple of 1, 2 and 7) ...
            int c = changes[0]++;
            SagaRecord newer = saga(String.format(Locale.ROOT, "new%03d", c), REFUND, SagaStatus.RUNNING, null, null,
                    at(1_000 + c), at(1_000 + c));
            insert(newer);
            model.put(idOf(newer), newer);
            // ... and one of the first sagas changes status and is now the most recently changed
            SagaRecord current = model.get(idOf(initial.get(c % initial.size())));
            boolean running = current.status() == SagaStatus.RUNNING;
            SagaRecord changed = moved(current, running ? SagaStatus.PENDING : SagaStatus.RUNNING,
                    running ? "AWAITING_STOCK" : null, at(2_000 + c));
            tx(t -> {
                t.update(changed);
                return null;
            });
            model.put(idOf(changed), changed);
        };
        Comparator<SagaRecord> newestFirst = Comparator.comparing(SagaRecord::createdAt)
                .thenComparing(StoreContract::idOf).reversed();

        for (int size : new int[] {1, 2, 7}) {
            for (String type : new String[] {ORDER, REFUND, null}) {
                List<String> expected = model.values().stream().filter(s -> type == null || s.type().equals(type))
                        .sorted(newestFirst).map(StoreContract::idOf).toList();
                SagaQuery first = type == null ? SagaQuery.all(size) : SagaQuery.all(size).withType(type);

                Walk walk = walk(first, churn);

                assertThat(walk.ids()).as("type %s, pages of %d", type, size).doesNotHaveDuplicates()
                        .containsExactlyElementsOf(expected);
                assertThat(walk.pages()).as("type %s, pages of %d: the last page is the first without a cursor,"
                        + " never an extra empty one", type, size).isEqualTo((expected.size() + size - 1) / size);
            }
        }
        assertThat(model.values().stream().filter(s -> s.type().equals(ORDER)).count())
                .as("fixture sanity: 14 orders throughout").isEqualTo(14);
        assertThat(changes[0]).as("fixture sanity: sagas arrived and changed between pages").isGreaterThan(50);
    }

    @Test
    @DisplayName("query: newest first is the default, kept by the with-methods, also for a query built without an order")
    void queryDefaultOrder() {
        insertCatalogue();
        SagaQuery withoutOrder = new SagaQuery(null, null, null, null, null, null, null, null, null, null,
                SagaQuery.MAX_LIMIT);
        assertThat(withoutOrder.order()).isEqualTo(SagaQuery.Order.NEWEST_FIRST);
        assertThat(withoutOrder).isEqualTo(SagaQuery.all(SagaQuery.MAX_LIMIT));
        assertThat(SagaQuery.all(5).withOrder(null).order()).as("null is the default")
                .isEqualTo(SagaQuery.Order.NEWEST_FIRST);
        SagaQuery oldest = SagaQuery.all(3).withOrder(SagaQuery.Order.OLDEST_FIRST).withType(ORDER)
                .withStatus(SagaStatus.PENDING).withPendingState("AWAITING_STOCK").withBusinessKey("k2")
                .withCreated(at(1), at(2)).withUpdated(at(3), at(4)).withStuckBefore(at(5)).withAfter(null);
        assertThat(oldest.order()).as("the with-methods keep the order").isEqualTo(SagaQuery.Order.OLDEST_FIRST);
        assertThat(oldest.limit()).isEqualTo(3);

        List<String> newestFirst = List.of("a09", "a08", "a07", "a06", "a05", "a04", "a03", "a02", "a01");
        assertThat(onePage(withoutOrder)).containsExactlyElementsOf(newestFirst);
        assertThat(onePage(SagaQuery.all(SagaQuery.MAX_LIMIT).withOrder(SagaQuery.Order.NEWEST_FIRST)))
                .containsExactlyElementsOf(newestFirst);
        assertThat(walk(SagaQuery.all(2).withType(ORDER), () -> {}).ids())
                .containsExactly("a09", "a07", "a06", "a04", "a02", "a01");
    }

    @Test
    @DisplayName("query: oldest first lists each filter's matches by creation time, then id, both ascending, on one page or many")
    void queryOldestFirst() {
        insertCatalogue();
        SagaQuery all = SagaQuery.all(SagaQuery.MAX_LIMIT).withOrder(SagaQuery.Order.OLDEST_FIRST);

        assertThat(onePage(all)).containsExactly("a01", "a02", "a03", "a04", "a05", "a06", "a07", "a08", "a09");
        assertThat(onePage(all.withType(ORDER))).containsExactly("a01", "a02", "a04", "a06", "a07", "a09");
        assertThat(onePage(all.withStatus(SagaStatus.PENDING))).containsExactly("a02", "a03", "a09");
        assertThat(onePage(all.withPendingState("AWAITING_BANK"))).containsExactly("a03", "a09");
        assertThat(onePage(all.withBusinessKey("k1"))).containsExactly("a01", "a03");
        assertThat(onePage(all.withCreated(at(30), at(70)))).containsExactly("a03", "a04", "a05", "a06");
        assertThat(onePage(all.withUpdated(at(70), at(100)))).containsExactly("a05", "a07", "a08", "a09");
        assertThat(onePage(all.withType(ORDER).withStuckBefore(FAR_FUTURE))).containsExactly("a01", "a02", "a06",
                "a09");
        assertThat(onePage(all.withStatus(SagaStatus.PENDING).withCreated(at(20), at(90)))).containsExactly("a02",
                "a03");

        insert(saga("t-b", ORDER, SagaStatus.RUNNING, null, null, at(55), at(55)),
                saga("t-d", ORDER, SagaStatus.COMPLETED, null, null, at(55), at(56)),
                saga("t-a", ORDER, SagaStatus.RUNNING, null, null, at(55), at(57)),
                saga("t-c", REFUND, SagaStatus.RUNNING, null, null, at(55), at(55)));
        List<String> expected = List.of("a01", "a02", "a03", "a04", "a05", "t-a", "t-b", "t-c", "t-d", "a06", "a07",
                "a08", "a09");
        assertThat(onePage(all)).as("ties by id, ascending").containsExactlyElementsOf(expected);
        for (int size = 1; size <= expected.size() + 1; size++) {
            SagaQuery first = SagaQuery.all(size).withOrder(SagaQuery.Order.OLDEST_FIRST);
            assertThat(walk(first, () -> {}).ids()).as("pages of %d", size).containsExactlyElementsOf(expected);
            assertThat(walk(first.withType(ORDER), () -> {}).ids()).as("orders, pages of %d", size)
                    .containsExactly("a01", "a02", "a04", "t-a", "t-b", "t-d", "a06", "a07", "a09");
        }
    }

    @Test
    @DisplayName("query: oldest first, paging by 1, 3 and 7 with a type and a created range returns every match once, ascending, while sagas arrive and change between pages")
    void queryOldestFirstPagination() {
        Map<String, SagaRecord> model = new LinkedHashMap<>(); // every saga as stored now
        List<SagaRecord> initial = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            // three sagas per second (two orders, one refund); ids and insertion order shuffled against creation order
            String type = i % 3 == 1 ? REFUND : ORDER;
            initial.add(saga(String.format(Locale.ROOT, "q%02d", (i * 7) % 30), type, SagaStatus.RUNNING, null, null,
                    at(i / 3), at(i / 3)));
        }
        for (int i = 0; i < 30; i++) {
            SagaRecord s = initial.get((i * 11) % 30);
            insert(s);
            model.put(idOf(s), s);
        }
        int[] changes = {0};
        Runnable churn = () -> {
            // a saga of either type created after the range, which sorts after every saga seen so far ...
            int c = changes[0]++;
            SagaRecord newer = saga(String.format(Locale.ROOT, "new%03d", c), c % 2 == 0 ? ORDER : REFUND,
                    SagaStatus.RUNNING, null, null, at(1_000 + c), at(1_000 + c));
            insert(newer);
            model.put(idOf(newer), newer);
            // ... and one of the first sagas changes status and is now the most recently changed
            SagaRecord current = model.get(idOf(initial.get(c % initial.size())));
            boolean running = current.status() == SagaStatus.RUNNING;
            SagaRecord changed = moved(current, running ? SagaStatus.PENDING : SagaStatus.RUNNING,
                    running ? "AWAITING_STOCK" : null, at(2_000 + c));
            tx(t -> {
                t.update(changed);
                return null;
            });
            model.put(idOf(changed), changed);
        };
        Comparator<SagaRecord> oldestFirst = Comparator.comparing(SagaRecord::createdAt)
                .thenComparing(StoreContract::idOf);
        Instant from = at(2);
        Instant to = at(8); // seconds 2 to 7: 18 sagas, 12 orders and 6 refunds

        for (int size : new int[] {1, 3, 7}) {
            for (String type : new String[] {ORDER, REFUND, null}) {
                List<String> expected = model.values().stream()
                        .filter(s -> (type == null || s.type().equals(type)) && !s.createdAt().isBefore(from)
                                && s.createdAt().isBefore(to))
                        .sorted(oldestFirst).map(StoreContract::idOf).toList();
                SagaQuery first = SagaQuery.all(size).withOrder(SagaQuery.Order.OLDEST_FIRST).withType(type)
                        .withCreated(from, to);

                Walk walk = walk(first, churn);

                assertThat(walk.ids()).as("type %s, pages of %d", type, size).doesNotHaveDuplicates()
                        .containsExactlyElementsOf(expected);
                assertThat(walk.pages()).as("type %s, pages of %d: the last page is the first without a cursor",
                        type, size).isEqualTo((expected.size() + size - 1) / size);
            }
        }
        assertThat(changes[0]).as("fixture sanity: sagas arrived and changed between pages").isGreaterThan(40);
    }

    @Test
    @DisplayName("query: oldest first, a matching saga created while paging comes on a later page, after the sagas created before it")
    void queryOldestFirstSeesNewSagas() {
        insert(saga("s-1", ORDER, SagaStatus.RUNNING, null, null, at(1), at(1)),
                saga("s-2", ORDER, SagaStatus.RUNNING, null, null, at(2), at(2)),
                saga("s-3", ORDER, SagaStatus.RUNNING, null, null, at(3), at(3)));
        SagaQuery first = SagaQuery.all(2).withOrder(SagaQuery.Order.OLDEST_FIRST).withType(ORDER);
        SagaPage page1 = theStore().query(first);
        assertThat(page1.items()).extracting(StoreContract::idOf).containsExactly("s-1", "s-2");

        insert(saga("s-4", ORDER, SagaStatus.RUNNING, null, null, at(4), at(4)),
                saga("s-0", REFUND, SagaStatus.RUNNING, null, null, at(5), at(5)));
        SagaPage page2 = theStore().query(first.withAfter(page1.nextCursor()));
        assertThat(page2.items()).extracting(StoreContract::idOf).containsExactly("s-3", "s-4");
        assertThat(page2.nextCursor()).isNull();
    }

    @Test
    @DisplayName("query: an empty result, or exactly one full page, has no cursor")
    void queryLastPage() {
        SagaPage empty = theStore().query(SagaQuery.all(5));
        assertThat(empty.items()).isEmpty();
        assertThat(empty.nextCursor()).isNull();

        insert(saga("s-1", ORDER, SagaStatus.RUNNING, null, null, at(1), at(1)),
                saga("s-2", ORDER, SagaStatus.RUNNING, null, null, at(2), at(2)),
                saga("s-3", REFUND, SagaStatus.RUNNING, null, null, at(3), at(3)));

        SagaPage full = theStore().query(SagaQuery.all(3));
        assertThat(full.items()).extracting(StoreContract::idOf).containsExactly("s-3", "s-2", "s-1");
        assertThat(full.nextCursor()).isNull();
        SagaPage fullFiltered = theStore().query(SagaQuery.all(2).withType(ORDER));
        assertThat(fullFiltered.items()).extracting(StoreContract::idOf).containsExactly("s-2", "s-1");
        assertThat(fullFiltered.nextCursor()).isNull();

        SagaPage first = theStore().query(SagaQuery.all(2));
        assertThat(first.nextCursor()).isNotNull();
        assertThat(first.items()).as("pages hold whole records").containsExactly(
                theStore().find(SagaId.of("s-3")).orElseThrow(), theStore().find(SagaId.of("s-2")).orElseThrow());
        SagaPage last = theStore().query(SagaQuery.all(2).withAfter(first.nextCursor()));
        assertThat(last.items()).extracting(StoreContract::idOf).containsExactly("s-1");
        assertThat(last.nextCursor()).isNull();
    }

    @Test
    @DisplayName("query: a cursor the store did not issue is an IllegalArgumentException that says so")
    void queryBadCursor() {
        insert(saga("s-1", ORDER, SagaStatus.RUNNING, null, null, at(1), at(1)),
                saga("s-2", ORDER, SagaStatus.RUNNING, null, null, at(2), at(2)));
        String real = theStore().query(SagaQuery.all(1)).nextCursor();
        assertThat(real).as("a cursor is URL-safe").isNotNull().matches("[A-Za-z0-9_\\-.~]+");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        List<String> garbage = List.of("garbage!", "", " ", real + "!", real.substring(0, 1) + " " + real.substring(1),
                "%%%", b64.encodeToString("no colon".getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString("abc:def".getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString("12:".getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString("1:2:3:with space".getBytes(StandardCharsets.UTF_8)));

        for (String cursor : garbage) {
            assertThatThrownBy(() -> theStore().query(SagaQuery.all(1).withAfter(cursor))).as("cursor '%s'", cursor)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageFindingMatch("(?i)cursor");
        }
        assertThat(onePage(SagaQuery.all(1).withAfter(real))).as("the store still answers").containsExactly("s-1");
    }

    @Test
    @DisplayName("query: SagaQuery takes page sizes 1 to 1000 only, and the store returns at most that many")
    void queryLimits() {
        for (int bad : new int[] {0, -1, SagaQuery.MAX_LIMIT + 1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> SagaQuery.all(bad)).as("limit %d", bad)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new SagaQuery(ORDER, null, null, null, null, null, null, null, null, null, bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(SagaQuery.MAX_LIMIT).isEqualTo(1000);
        SagaQuery q = SagaQuery.all(3).withType(ORDER).withStatus(SagaStatus.RUNNING).withAfter(null);
        assertThat(q.limit()).as("the with-methods keep the limit").isEqualTo(3);

        List<SagaRecord> many = new ArrayList<>();
        for (int i = 0; i < SagaQuery.MAX_LIMIT + 5; i++) {
            many.add(saga(String.format(Locale.ROOT, "m%04d", i), ORDER, SagaStatus.RUNNING, null, null,
                    at(i % 50), at(0)));
        }
        insert(many.toArray(SagaRecord[]::new));

        assertThat(theStore().query(SagaQuery.all(1)).items()).hasSize(1);
        SagaPage max = theStore().query(SagaQuery.all(SagaQuery.MAX_LIMIT));
        assertThat(max.items()).hasSize(SagaQuery.MAX_LIMIT);
        assertThat(max.nextCursor()).isNotNull();
        SagaPage rest = theStore().query(SagaQuery.all(SagaQuery.MAX_LIMIT).withAfter(max.nextCursor()));
        assertThat(rest.items()).hasSize(5);
        assertThat(rest.nextCursor()).isNull();
    }
}
