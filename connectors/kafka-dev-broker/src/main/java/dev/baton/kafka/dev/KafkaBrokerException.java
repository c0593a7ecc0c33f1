package dev.baton.kafka.dev;

/**
 * The embedded Kafka broker could not start: a port was taken, the data directory could not be created,
 * formatted or locked, or Kafka refused its configuration. The message names the port or the directory.
 *
 * @since 0.1
 */
public final class KafkaBrokerException extends RuntimeException {
    KafkaBrokerException(String message) {
        super(message);
    }

    KafkaBrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
