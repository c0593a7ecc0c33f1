package dev.baton.sample.orderflow;

import java.io.PrintStream;
import java.util.Locale;

/** What the demo prints at the end of a run. */
final class Summary {
    private Summary() {}

    /** The run's summary, a row per figure, and the consistency check's findings. */
    static void print(OrderFlowDemo.Result r, OrderFlowDemo.Settings s, PrintStream out) {
        out.println();
        out.println("Summary (" + switch (s.mode()) {
            case SPIKE -> "stream of " + s.orders() + " orders at " + fmt(s.rate()) + "/s with a promotion spike of "
                    + Math.round(s.orders() * s.spikeShare()) + " at once";
            case RATE -> "open loop, " + fmt(s.rate()) + " orders/s for " + s.durationSeconds() + " s";
            case MAX -> "closed loop, at most " + s.inflight() + " sagas in flight";
        } + (s.chaos() ? ", payment service killed and restarted mid-run" : "") + ")");
        row(out, "orders", Long.toString(r.orders()));
        row(out, "completed", Long.toString(r.completed()));
        row(out, "compensated", r.compensated() + (r.gaveUp() == 0 ? "  (out of stock, flagged by screening or card declined)"
                : "  (" + r.gaveUp() + " gave up waiting for payment, the rest out of stock, flagged or declined)"));
        row(out, "still pending", Long.toString(r.pending()));
        row(out, "failed", Long.toString(r.failed()));
        row(out, "parked in " + OrderFlowSaga.PENDING_PAYMENT, r.parked() + "  (payment over capacity, resumed later)");
        row(out, "delivery estimate degraded", r.degraded() + "  (carrier could not answer: promised standard delivery)");
        row(out, "shipping skipped", r.skipped() + "  (gift cards: digital, nothing to ship)");
        row(out, "flagged by fraud screening", r.flagged() + "  (in parallel with the stock reservation; " + r.lateReleased()
                + " reservation(s) answered after the refusal, waited for and released)");
        row(out, "payment breaker opened", r.breakerOpenings() + "  (payment not answering: commands held back, not sent)");
        row(out, "saga latency", String.format(Locale.ROOT, "p50 %.0f ms, p95 %.0f ms, p99 %.0f ms", r.p50Ms(), r.p95Ms(), r.p99Ms()));
        row(out, "throughput", String.format(Locale.ROOT, "%.1f sagas/s", r.sagasPerSecond()));
        row(out, "run time", String.format(Locale.ROOT, "%.1f s", r.seconds()));
        row(out, "engine store", s.engineDb().describe() + (s.engineDb().kind() == EngineDatabase.Kind.H2_FILE
                ? "  (the services: an H2 file each)" : "  (the services: a schema each in the same database)"));
        row(out, "process CPU time", String.format(Locale.ROOT, "%.1f s  (the whole JVM: broker, engine, services)", r.cpuSeconds()));
        if (r.steady() != null) {
            row(out, "steady state", String.format(Locale.ROOT, "%.1f sagas/s, %.2f ms of CPU per saga  (over %.0f s,"
                    + " after a %.0f s warm-up)", r.steady().sagasPerSecond(), r.steady().cpuMsPerSaga(), r.steady().seconds(),
                    r.steady().warmupSeconds()));
        }
        row(out, "peak heap", String.format(Locale.ROOT, "%d MiB  (of at most %d MiB)", r.peakHeapBytes() >> 20,
                Runtime.getRuntime().maxMemory() >> 20));
        row(out, "consistency", r.inconsistent() == 0 && r.duplicates() == 0
                ? "OK: every completed order has one reservation, one captured payment and one shipment (none if"
                + " digital); every"
                + " compensated order has none left"
                : r.inconsistent() + " inconsistent order(s), " + r.duplicates() + " duplicate(s)");
        for (String p : r.problems()) {
            out.println("    " + p);
        }
        out.flush();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static void row(PrintStream out, String name, String value) {
        out.printf(Locale.ROOT, "  %-28s %s%n", name, value);
    }
}
