package dev.baton.sample.orderflow;

import dev.baton.jdbi.JdbiStoreOptions;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The closed loop's steady state: from the end of the warm-up until the last order was sent, while the load
 * generator kept {@code --inflight} sagas in flight. {@code cpuSeconds} is the whole process's CPU in that window,
 * {@code jitSeconds} and {@code gcSeconds} the parts the JVM reports for its compilers and collectors, and
 * {@code byComponent} the CPU of the Java threads grouped by {@link #component(String)}.
 */
record SteadyState(double warmupSeconds, double seconds, long sagas, double cpuSeconds, double jitSeconds, double gcSeconds,
                   Map<String, Double> byComponent, long h2Versions, long h2WriteBytes) {
    double sagasPerSecond() {
        return sagas / seconds;
    }

    double cpuMsPerSaga() {
        return sagas == 0 ? Double.NaN : 1000 * cpuSeconds / sagas;
    }

    /** The window's lines: rate and CPU per saga, CPU by component, and the engine's H2 file when it has one. */
    void print(PrintStream out) {
        out.printf(Locale.ROOT, "order-flow: steady state, %.0f s to %.0f s of the run (%d sagas ended): %.1f sagas/s,"
                + " %.2f ms of process CPU per saga (as the JVM reports them: JIT compilation %.2f ms, GC %.2f ms)%n",
                warmupSeconds, warmupSeconds + seconds, sagas, sagasPerSecond(), cpuMsPerSaga(),
                1000 * jitSeconds / Math.max(1, sagas), 1000 * gcSeconds / Math.max(1, sagas));
        out.println("order-flow: steady-state CPU per saga by component: " + componentsLine());
        if (h2Versions >= 0 && sagas > 0) {
            out.printf(Locale.ROOT, "order-flow: the engine's H2 file in the steady state: %.2f chunks written per saga"
                    + " (H2's store versions: its commits and background writes), %.1f KiB written per saga%n",
                    (double) h2Versions / sagas, h2WriteBytes / 1024.0 / sagas);
        }
    }

    /** CPU per saga by component, the JVM's own work (and threads that ended) last. */
    String componentsLine() {
        StringBuilder b = new StringBuilder();
        double threads = 0;
        for (var e : byComponent.entrySet()) {
            threads += e.getValue();
            b.append(String.format(Locale.ROOT, "%s %.2f ms, ", e.getKey(), 1000 * e.getValue() / Math.max(1, sagas)));
        }
        return b.append(String.format(Locale.ROOT, "the JVM's own work (JIT, GC) and threads that ended %.2f ms",
                1000 * Math.max(0, cpuSeconds - threads) / Math.max(1, sagas))).toString();
    }

    /** A snapshot of the clocks a window is measured with. */
    record Mark(long nanos, long ended, double cpuSeconds, double jitSeconds, double gcSeconds,
                        Map<Long, Long> threadNanos, Map<Long, String> threadNames, long[] h2) {
        static Mark now(long ended, OrderFlowDemo.Settings s) {
            var jit = ManagementFactory.getCompilationMXBean();
            double jitSeconds = jit != null && jit.isCompilationTimeMonitoringSupported()
                    ? jit.getTotalCompilationTime() / 1e3 : Double.NaN;
            long gcMs = 0;
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcMs += Math.max(0, gc.getCollectionTime());
            }
            Map<Long, Long> nanos = new HashMap<>();
            Map<Long, String> names = new HashMap<>();
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            if (mx.isThreadCpuTimeSupported()) {
                mx.setThreadCpuTimeEnabled(true);
                for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
                    long ns = t == null ? -1 : mx.getThreadCpuTime(t.getThreadId());
                    if (ns >= 0) {
                        nanos.put(t.getThreadId(), ns);
                        names.put(t.getThreadId(), t.getThreadName());
                    }
                }
            }
            return new Mark(System.nanoTime(), ended, LoadRun.cpuSeconds(), jitSeconds, gcMs / 1e3, nanos, names,
                    h2Counters(s));
        }
    }

    static SteadyState between(Mark from, Mark to, long t0) {
        Map<String, Double> byComponent = new LinkedHashMap<>();
        for (String c : List.of(ENGINE, STARTS, SERVICES, BROKER)) {
            byComponent.put(c, 0.0);
        }
        to.threadNanos().forEach((id, ns) -> {
            long delta = ns - from.threadNanos().getOrDefault(id, 0L);
            if (delta > 0) {
                byComponent.merge(component(to.threadNames().get(id)), delta / 1e9, Double::sum);
            }
        });
        return new SteadyState((from.nanos() - t0) / 1e9, (to.nanos() - from.nanos()) / 1e9, to.ended() - from.ended(),
                to.cpuSeconds() - from.cpuSeconds(), to.jitSeconds() - from.jitSeconds(), to.gcSeconds() - from.gcSeconds(),
                byComponent, from.h2()[0] < 0 || to.h2()[0] < 0 ? -1 : to.h2()[0] - from.h2()[0],
                from.h2()[1] < 0 || to.h2()[1] < 0 ? -1 : to.h2()[1] - from.h2()[1]);
    }

    /**
     * The engine's H2 file as H2 counts it: the store's version, which each write of a chunk (with
     * {@code WRITE_DELAY=0}, each commit) advances, and the bytes written to the file; -1 each on PostgreSQL or when
     * they cannot be read.
     */
    static long[] h2Counters(OrderFlowDemo.Settings s) {
        long[] counters = {-1, -1};
        if (s.engineDb().kind() != EngineDatabase.Kind.H2_FILE) {
            return counters;
        }
        // the same URL as the engine's store: in this JVM H2 hands out a connection to the database already open
        JdbiStoreOptions o = JdbiStoreOptions.h2File(s.data().toAbsolutePath().resolve("engine"));
        try (Connection c = DriverManager.getConnection(o.jdbcUrl(), o.username(), o.password());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                     + " WHERE SETTING_NAME IN ('info.CURRENT_VERSION', 'info.FILE_WRITE_BYTES')")) {
            while (rs.next()) {
                counters["info.CURRENT_VERSION".equals(rs.getString(1)) ? 0 : 1] = Long.parseLong(rs.getString(2));
            }
        } catch (SQLException | NumberFormatException e) {
            // an H2 that does not report them: the line is left out
        }
        return counters;
    }

    static final String ENGINE = "engine";
    static final String STARTS = "starts (the load generator's thread)";
    static final String SERVICES = "the four services";
    static final String BROKER = "the broker and other threads";

    /**
     * Which part of the demo a thread belongs to, by its name: the participant SDK's threads and producers are
     * {@code baton-participant-<name>}; the engine's are {@code baton-...} (reply loop, outbox, timers, compaction) and
     * its producer's network thread names {@code baton-engine-producer}; the load generator starts sagas on
     * {@code main}, so a start's transaction runs there; the rest is the Kafka broker and the JVM's helpers.
     */
    static String component(String thread) {
        if (thread == null) {
            return BROKER;
        }
        if (thread.contains("baton-participant")) {
            return SERVICES;
        }
        if (thread.startsWith("baton-") || thread.contains("baton-engine")) {
            return ENGINE;
        }
        return "main".equals(thread) ? STARTS : BROKER;
    }

    /** The machine a run's figures belong to: cores, CPU model, JDK and the heap's limit. */
    static String machine() {
        String model = "CPU model unknown";
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            model = lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse(model);
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: the model stays unknown
        }
        return String.format(Locale.ROOT, "%d cores (%s), JDK %s, max heap %d MiB",
                Runtime.getRuntime().availableProcessors(), model, Runtime.version(), Runtime.getRuntime().maxMemory() >> 20);
    }
}
