package dev.baton.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a window's CPU went, by thread: a snapshot of every live Java thread's CPU time at the window's start and end,
 * summed per kind of thread (its name with numbers replaced by {@code #}: {@code kafka-request-handler-#},
 * {@code baton-outbox}, ...). What the Java threads do not account for of the process's CPU is the JVM's own work
 * (garbage collection, the JIT compilers, safepoints) and threads that ended within the window.
 */
final class ThreadCpu {
    private final Map<Long, Long> cpuById;
    private final Map<Long, String> nameById;
    /** The JIT compilers' time so far (ms, as the JVM reports it) and the collectors' (ms), or -1. */
    private final long compileMs;
    private final long gcMs;

    private ThreadCpu(Map<Long, Long> cpuById, Map<Long, String> nameById) {
        this.cpuById = cpuById;
        this.nameById = nameById;
        var jit = ManagementFactory.getCompilationMXBean();
        this.compileMs = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
        long gc = 0;
        for (var c : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, c.getCollectionTime());
        }
        this.gcMs = gc;
    }

    /** The JIT compilers' time between {@code start} and this snapshot, in ms; -1 when the JVM does not tell. */
    long compileMsSince(ThreadCpu start) {
        return compileMs < 0 || start.compileMs < 0 ? -1 : compileMs - start.compileMs;
    }

    /** The collectors' time between {@code start} and this snapshot, in ms (pauses and, for some, concurrent work). */
    long gcMsSince(ThreadCpu start) {
        return gcMs - start.gcMs;
    }

    /** Every live thread's CPU time now; empty where the JVM does not measure thread CPU time. */
    static ThreadCpu snapshot() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        if (!mx.isThreadCpuTimeSupported()) {
            return new ThreadCpu(cpu, names);
        }
        if (!mx.isThreadCpuTimeEnabled()) {
            mx.setThreadCpuTimeEnabled(true);
        }
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long ns = mx.getThreadCpuTime(t.getThreadId());
            if (ns >= 0) {
                cpu.put(t.getThreadId(), ns);
                names.put(t.getThreadId(), t.getThreadName());
            }
        }
        return new ThreadCpu(cpu, names);
    }

    /** The CPU between {@code start} and this snapshot, in nanoseconds, per kind of thread. */
    Map<String, Long> since(ThreadCpu start) {
        Map<String, Long> out = new TreeMap<>();
        cpuById.forEach((id, ns) -> {
            long delta = ns - start.cpuById.getOrDefault(id, 0L);
            if (delta > 0) {
                out.merge(kind(nameById.get(id)), delta, Long::sum);
            }
        });
        return out;
    }

    static String kind(String threadName) {
        return threadName == null ? "?" : threadName.replaceAll("[0-9]+", "#");
    }

    /**
     * Prints the window's CPU per saga by kind of thread, the largest first, the rest summed, and what the Java
     * threads do not account for.
     */
    static void print(Map<String, Long> byKind, long processNanos, long sagas, int top) {
        if (byKind.isEmpty() || sagas <= 0) {
            return;
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(byKind.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        long threads = sorted.stream().mapToLong(Map.Entry::getValue).sum();
        System.out.println("CPU per saga by thread (ms; share of the process's CPU in the window):");
        long rest = 0;
        for (int i = 0; i < sorted.size(); i++) {
            if (i < top) {
                line(sorted.get(i).getKey(), sorted.get(i).getValue(), processNanos, sagas);
            } else {
                rest += sorted.get(i).getValue();
            }
        }
        if (rest > 0) {
            line("(" + (sorted.size() - top) + " other kinds of thread)", rest, processNanos, sagas);
        }
        if (processNanos > 0) {
            line("(JVM: GC, JIT, safepoints; threads that ended)", Math.max(0, processNanos - threads), processNanos, sagas);
        }
    }

    private static void line(String what, long nanos, long processNanos, long sagas) {
        System.out.printf(Locale.ROOT, "  %-52s %6.3f ms  %5.1f %%%n", what, nanos / 1e6 / sagas,
                processNanos > 0 ? 100.0 * nanos / processNanos : Double.NaN);
    }
}
