package dev.baton.sample.orderflow;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaPage;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.sample.orderflow.OrderFlowSaga.OrderData;
import dev.baton.server.BatonServer;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One run of the demo's load: sends the orders (a stream with a promotion spike, an open loop at a fixed rate, or a
 * closed loop), shows progress, waits for the sagas to end, and checks the services' databases.
 */
final class LoadRun {
    private static final String TYPE = OrderFlowSaga.ORDER_FLOW.type();

    private LoadRun() {}

    /** Sends the orders, shows progress, waits for the sagas to end, checks the databases. */
    static OrderFlowDemo.Result drive(OrderFlowDemo.Settings s, BatonServer server, DemoServices services, PrintStream out)
            throws Exception {
        SagaStore store = server.store();
        Random random = new Random(s.seed());
        AtomicLong sent = new AtomicLong();
        // with --keep, the sagas of earlier runs are in the store: count only this run's, number its orders after them
        Map<SagaStatus, Long> before = counts(store, null);
        java.util.concurrent.atomic.AtomicLong openings = new java.util.concurrent.atomic.AtomicLong();
        server.breakers().breaker("payment").getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition().getToState() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN) {
                openings.incrementAndGet();
            }
        });
        long offset = before.values().stream().mapToLong(Long::longValue).sum();
        Map<String, SagaId> sagas = new HashMap<>();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "order-flow-progress");
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime();
        // the heap in use, all pools together, sampled: the sum of each pool's own peak would count regions twice
        // (G1 moves them between eden and the old generation), and can exceed -Xmx
        AtomicLong heapPeak = new AtomicLong();
        ticker.scheduleAtFixedRate(() -> heapPeak.accumulateAndGet(
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max), 0, 50, TimeUnit.MILLISECONDS);
        if (s.progress()) {
            ticker.scheduleAtFixedRate(() -> {
                try {
                    out.print("\r" + progress(counts(store, before), sent.get(), s.orders(), t0) + "   ");
                    out.flush();
                } catch (RuntimeException e) {
                    // the store is closing
                }
            }, 250, 250, TimeUnit.MILLISECONDS);
        }
        int chaosAt = s.chaos() ? s.orders() / 2 : -1;
        int spikeFrom = (int) Math.round(s.orders() * 0.4);
        int spikeTo = spikeFrom + (int) Math.round(s.orders() * s.spikeShare());
        long intervalNs = (long) (1e9 / s.rate());
        Thread chaos = null;
        long next = System.nanoTime();
        long endedSoFar = 0; // closed loop: sagas known to have ended; the store's count is a table scan, so asked sparingly
        // closed loop: the steady-state window opens after --warmup seconds, or halfway through the orders
        long warmupEnd = s.warmupSeconds() > 0 ? t0 + TimeUnit.SECONDS.toNanos(s.warmupSeconds()) : Long.MAX_VALUE;
        SteadyState.Mark warm = null;
        if (s.mode() == OrderFlowDemo.Mode.MAX) {
            out.println("order-flow: machine: " + SteadyState.machine());
        }
        for (int n = 1; n <= s.orders(); n++) {
            if (s.mode() == OrderFlowDemo.Mode.MAX) {
                while (n - 1 - endedSoFar >= s.inflight()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    endedSoFar = terminal(counts(store, before));
                }
                if (warm == null && (System.nanoTime() >= warmupEnd || s.warmupSeconds() == 0 && n > s.orders() / 2)) {
                    warm = SteadyState.Mark.now(terminal(counts(store, before)), s);
                }
            } else if (s.mode() == OrderFlowDemo.Mode.RATE || n <= spikeFrom || n > spikeTo) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                next = Math.max(next + intervalNs, System.nanoTime() - intervalNs * 10);
            } // in the spike: no pause at all
            if (n == chaosAt) {
                out.print(s.progress() ? "\n" : "");
                out.println("order-flow: chaos: killing the payment service; it restarts on its database in 2 s");
                chaos = services.restartPayment(Duration.ofSeconds(2));
            }
            OrderData order = order(offset + n, random);
            SagaId id = server.engine().start(OrderFlowSaga.ORDER_FLOW, order, order.orderId()).id();
            sagas.put(order.orderId(), id);
            sent.incrementAndGet();
        }
        long sendingNs = System.nanoTime() - t0;
        SteadyState steady = warm == null ? null
                : SteadyState.between(warm, SteadyState.Mark.now(terminal(counts(store, before)), s), t0);
        if (s.mode() == OrderFlowDemo.Mode.MAX && warm == null) {
            out.printf(Locale.ROOT, "order-flow: no steady-state figures: every order was sent within the %d s warm-up%n",
                    s.warmupSeconds());
        }
        if (chaos != null) {
            chaos.join();
        }
        // wait, bounded, until no saga is moving any more
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.exit() ? s.waitSeconds() : 3600);
        while (System.nanoTime() < deadline) {
            Map<SagaStatus, Long> c = counts(store, before);
            if (c.get(SagaStatus.RUNNING) + c.get(SagaStatus.PENDING) + c.get(SagaStatus.COMPENSATING) == 0
                    && c.values().stream().mapToLong(Long::longValue).sum() >= s.orders()) {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        ticker.shutdownNow();
        if (s.progress()) {
            out.println("\r" + progress(counts(store, before), sent.get(), s.orders(), t0) + "   ");
        }
        double wallSeconds = (System.nanoTime() - t0) / 1e9;

        // outcomes and latencies, from the engine's records
        Map<String, SagaStatus> outcomes = new HashMap<>();
        Histogram latencies = new Histogram(3);
        List<SagaRecord> ends = new ArrayList<>();
        List<SagaId> compensatedOrFailed = new ArrayList<>();
        java.time.Instant first = null;
        java.time.Instant last = null;
        String cursor = null;
        do {
            SagaPage page = store.query(SagaQuery.all(SagaQuery.MAX_LIMIT).withType(TYPE).withAfter(cursor));
            for (SagaRecord rec : page.items()) {
                if (!sagas.containsKey(rec.businessKey())) {
                    continue; // an earlier run's
                }
                outcomes.put(rec.businessKey(), rec.status());
                if (rec.status().isTerminal()) {
                    latencies.recordValue(Duration.between(rec.createdAt(), rec.updatedAt()).toNanos());
                    ends.add(rec);
                    first = first == null || rec.createdAt().isBefore(first) ? rec.createdAt() : first;
                    last = last == null || rec.updatedAt().isAfter(last) ? rec.updatedAt() : last;
                }
            }
            cursor = page.nextCursor();
        } while (cursor != null);
        long parked = 0;
        long degraded = 0;
        long skipped = 0;
        long flagged = 0;
        long lateReleased = 0;
        long gaveUp = ends.stream().filter(r -> r.status() == SagaStatus.COMPENSATED && r.reason() != null
                && r.reason().contains("gave up")).count();
        for (SagaId id : sagas.values()) {
            boolean wasParked = false;
            boolean wasDegraded = false;
            boolean wasSkipped = false;
            for (HistoryRecord h : store.history(id)) {
                if (h.kind() == HistoryKind.COMPENSATION_STARTED && "screen-order".equals(h.step())) {
                    flagged++;
                }
                if (h.kind() == HistoryKind.STEP_COMPLETED && "reserve-stock".equals(h.step()) && h.detail() != null
                        && h.detail().startsWith("while group")) {
                    lateReleased++; // reserved after the screening refused: waited for, then released
                }
                wasParked |= h.kind() == HistoryKind.PARKED && h.detail() != null
                        && h.detail().startsWith(OrderFlowSaga.PENDING_PAYMENT);
                wasDegraded |= h.kind() == HistoryKind.STEP_DEGRADED;
                wasSkipped |= h.kind() == HistoryKind.STEP_SKIPPED;
            }
            parked += wasParked ? 1 : 0;
            degraded += wasDegraded ? 1 : 0;
            skipped += wasSkipped ? 1 : 0;
        }
        Map<SagaStatus, Long> c = counts(store, before);
        ConsistencyCheck.Report check = ConsistencyCheck.run(outcomes, services.orders.jdbi(), services.inventory.jdbi(),
                services.payment.jdbi(), services.logistics.jdbi());
        double span = first == null ? wallSeconds : Math.max(1e-3, Duration.between(first, last).toNanos() / 1e9);
        long ended = c.get(SagaStatus.COMPLETED) + c.get(SagaStatus.COMPENSATED);
        long notStarted = s.orders() - c.values().stream().mapToLong(Long::longValue).sum();
        out.printf(Locale.ROOT, "order-flow: sent %d orders in %.1f s%n", s.orders(), sendingNs / 1e9);
        if (first != null) {
            // the first seconds of a run include the JIT's warm-up (~30 s on 2 cores): the second half is steadier
            java.time.Instant half = first.plus(Duration.between(first, last).dividedBy(2));
            Histogram late = new Histogram(3);
            ends.stream().filter(r -> !r.createdAt().isBefore(half))
                    .forEach(r -> late.recordValue(Duration.between(r.createdAt(), r.updatedAt()).toNanos()));
            out.printf(Locale.ROOT, "order-flow: sagas started in the second half of the run (%d): p50 %.0f ms, p95 %.0f ms,"
                    + " p99 %.0f ms, max %.0f ms%n", late.getTotalCount(), ms(late, 50), ms(late, 95), ms(late, 99),
                    late.getMaxValue() / 1e6);
        }
        if (steady != null) {
            steady.print(out);
        }
        return new OrderFlowDemo.Result(s.orders(), c.get(SagaStatus.COMPLETED), c.get(SagaStatus.COMPENSATED),
                c.get(SagaStatus.RUNNING) + c.get(SagaStatus.PENDING) + c.get(SagaStatus.COMPENSATING) + Math.max(0, notStarted),
                c.get(SagaStatus.FAILED), check.inconsistent(), check.duplicates(), parked, degraded, skipped, flagged,
                lateReleased, gaveUp,
                openings.get(), ended / span,
                ms(latencies, 50), ms(latencies, 95), ms(latencies, 99), wallSeconds, cpuSeconds(), heapPeak.get(), check.problems(),
                steady);
    }

    private static OrderData order(long n, Random random) {
        boolean limited = random.nextInt(8) == 0;
        Catalog.Item item = limited ? Catalog.ITEMS.get(Catalog.ITEMS.size() - 1)
                : Catalog.ITEMS.get(random.nextInt(Catalog.ITEMS.size() - 1));
        int quantity = limited ? 1 : 1 + random.nextInt(3);
        return new OrderData(String.format(Locale.ROOT, "o-%06d", n), "c-" + (1 + random.nextInt(500)), item.sku(), quantity,
                item.priceCents() * quantity);
    }

    /** Sagas of the demo's type per status (PENDING summed over its states), less those in {@code before}. */
    private static Map<SagaStatus, Long> counts(SagaStore store, Map<SagaStatus, Long> before) {
        Map<SagaStatus, Long> m = new EnumMap<>(SagaStatus.class);
        for (SagaStatus st : SagaStatus.values()) {
            m.put(st, before == null ? 0L : -before.get(st));
        }
        for (SagaCount c : store.counts()) {
            if (TYPE.equals(c.type())) {
                m.merge(c.status(), c.count(), Long::sum);
            }
        }
        return m;
    }

    private static long terminal(Map<SagaStatus, Long> c) {
        return c.get(SagaStatus.COMPLETED) + c.get(SagaStatus.COMPENSATED);
    }

    private static String progress(Map<SagaStatus, Long> c, long sent, int total, long t0) {
        return String.format(Locale.ROOT, "%5.1fs sent %d/%d  running %d  %s %d  compensating %d  completed %d"
                        + "  compensated %d  failed %d", (System.nanoTime() - t0) / 1e9, sent, total,
                c.get(SagaStatus.RUNNING), OrderFlowSaga.PENDING_PAYMENT, c.get(SagaStatus.PENDING),
                c.get(SagaStatus.COMPENSATING), c.get(SagaStatus.COMPLETED), c.get(SagaStatus.COMPENSATED),
                c.get(SagaStatus.FAILED));
    }

    /** The {@code percentile} (0 to 100) of {@code nanos} in milliseconds; 0 when nothing was recorded. */
    private static double ms(Histogram nanos, double percentile) {
        return nanos.getValueAtPercentile(percentile) / 1e6;
    }

    static double cpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }
}
