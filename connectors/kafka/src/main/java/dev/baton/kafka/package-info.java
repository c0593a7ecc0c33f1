/**
 * The engine's Kafka transport ({@link dev.baton.kafka.KafkaTransport}) and start-topic consumer
 * ({@link dev.baton.kafka.KafkaStartConsumer}). Settings are {@link dev.baton.kafka.common.KafkaOptions}, shared with
 * the participant's binding ({@code dev.baton.participant.kafka}, module {@code baton-participant-kafka}), which this
 * module does not depend on. Its tests run against a real broker from {@code baton-kafka-dev-broker}, which stays out
 * of this module's runtime dependencies.
 */
package dev.baton.kafka;
