package dev.baton.engine.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Listeners observe; they must never break the engine. */
final class Listeners {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    private Listeners() {}

    static void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("a SagaListener threw; ignored", e);
        }
    }
}
