/**
 * A real single-node Kafka broker that runs inside a JVM, for tests, the server's dev mode and the demo:
 * {@link dev.baton.kafka.dev.EmbeddedKafkaBroker}. Not for production.
 */
package dev.baton.kafka.dev;
