/**
 * What the engine's Kafka transport and the participant's Kafka binding share: {@link
 * dev.baton.kafka.common.KafkaOptions}. Knows neither the engine nor the participant SDK.
 */
package dev.baton.kafka.common;
