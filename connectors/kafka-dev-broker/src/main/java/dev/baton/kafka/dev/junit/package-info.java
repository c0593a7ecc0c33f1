/**
 * JUnit 5/6 support: {@link dev.baton.kafka.dev.junit.KafkaBrokerExtension} shares one broker among all the
 * test classes of a test JVM. Needs {@code junit-jupiter-api} on the class path, which this module declares
 * as optional.
 */
package dev.baton.kafka.dev.junit;
