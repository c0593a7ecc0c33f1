/**
 * Baton's metrics over Micrometer.
 *
 * <ul>
 * <li>{@link dev.baton.micrometer.BatonMeter}: every meter name, type, unit, description and tag key, in one place.</li>
 * <li>{@link dev.baton.micrometer.MicrometerSagaListener}: the engine's {@code SagaListener} port as counters and
 *     timers; never throws into the engine.</li>
 * <li>{@link dev.baton.micrometer.BatonMetrics}: binds the listener and the gauges over the store's counts, which it
 *     takes as suppliers; {@link dev.baton.micrometer.Cached} keeps those cheap on every scrape.</li>
 * </ul>
 */
package dev.baton.micrometer;
