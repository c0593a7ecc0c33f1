/** Kafka client plumbing shared by Baton's Kafka modules (client factories, the consumer loop, dead-lettering). Not API. */
package dev.baton.kafka.common.internal;
