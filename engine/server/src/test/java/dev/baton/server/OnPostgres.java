package dev.baton.server;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a test class that uses {@link ServerExtension}: its {@link TestServer} keeps the sagas in PostgreSQL (a fresh
 * database of the embedded PostgreSQL, or of the server named by {@code BATON_TEST_POSTGRES_URL}) instead of an
 * in-memory H2 database. The classes so marked share one such server.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface OnPostgres {}
