package dev.baton.server;

/**
 * Every test of {@link SagaApiTest} (starts, reads, lists with filters and cursors, stuck sagas, operator actions,
 * definitions, stats) against a server whose saga store is PostgreSQL.
 */
@OnPostgres
class SagaApiOnPostgresTest extends SagaApiTest {}
