/**
 * What operators run the service with: Prometheus metrics ({@link dev.baton.server.ops.Metrics}), health checks
 * ({@link dev.baton.server.ops.Health}), per-saga logging ({@link dev.baton.server.ops.SagaLog}) and the log format
 * ({@link dev.baton.server.ops.LogSetup}). See {@code docs/operations.md}.
 */
package dev.baton.server.ops;
