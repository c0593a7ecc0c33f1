/**
 * The Kafka transport: commands to participants and their replies over {@code kafka-clients}. Its tests run
 * against a real broker from {@code baton-kafka-dev-broker} ({@code dev.baton.kafka.dev}), which stays out of
 * this module's runtime dependencies.
 */
package dev.baton.kafka;
