package dev.baton.participant.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Runs tasks on threads of their own, released at the same moment, to provoke races; and waits, bounded, for a
 * condition. Every bound here is a guard against a hang, never a claim about speed. Call it from the test thread.
 */
final class KitRace {

    /** How long a race may last before the kit gives up: a guard against hangs, not a timing claim. */
    static final long HANG_GUARD_SECONDS = 120;

    /**
     * How long {@link #until} polls before it gives up: a guard against hangs, not a timing claim; well within
     * {@link #HANG_GUARD_SECONDS}, so a handler that waited in vain still finishes its race.
     */
    static final long WAIT_GUARD_SECONDS = 30;

    private KitRace() {}

    /** Runs every task on its own thread, all released together; returns their results in the tasks' order. */
    static <T> List<T> together(List<Callable<T>> tasks) {
        CountDownLatch ready = new CountDownLatch(tasks.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size(),
                Thread.ofPlatform().name("kit-racer-", 1).daemon().factory());
        try {
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return task.call();
                }));
            }
            await(ready, "racing threads did not start");
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(result(future));
            }
            return results;
        } finally {
            pool.shutdownNow(); // the racers are done, or hung (daemon threads, never waited for)
        }
    }

    /** {@code copies} times the same task, released together. */
    static <T> List<T> copies(int copies, Callable<T> task) {
        List<Callable<T>> tasks = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            tasks.add(task);
        }
        return together(tasks);
    }

    /**
     * Polls {@code condition} until it holds or {@link #WAIT_GUARD_SECONDS} have passed.
     *
     * @return whether it held
     */
    static boolean until(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_GUARD_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(what + " within " + HANG_GUARD_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting racing threads", e);
        }
    }

    private static <T> T result(Future<T> future) {
        try {
            return future.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("a racing thread failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("a racing thread did not finish within " + HANG_GUARD_SECONDS
                    + " s: the database may be deadlocked", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for racing threads", e);
        }
    }
}
