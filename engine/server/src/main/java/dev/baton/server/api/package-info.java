/**
 * The REST API under {@code /api}: handlers ({@link dev.baton.server.api.SagaApi}), bearer-token checks
 * ({@link dev.baton.server.api.Auth}), RFC 9457 problems ({@link dev.baton.server.api.Problems}), JSON in and out
 * ({@link dev.baton.server.api.Json}) and the views it answers with. Described by {@code docs/openapi.json}.
 */
package dev.baton.server.api;
