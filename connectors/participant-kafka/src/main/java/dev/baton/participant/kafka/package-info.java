/**
 * The participant SDK's Kafka binding: {@link dev.baton.participant.kafka.KafkaParticipant} runs a service's
 * {@link dev.baton.participant.ParticipantRuntime} on its command topic. Depends on the SDK and on
 * {@code baton-kafka-common}, never on the engine.
 */
package dev.baton.participant.kafka;
