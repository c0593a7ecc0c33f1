package dev.baton.micrometer;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * Logs the first failure at WARN and later ones at DEBUG, so a broken registry or supplier is visible once
 * without flooding the log from the engine's hot path. Thread-safe.
 */
final class FailureLog {
    private final Logger log;
    private final String what;
    private final AtomicBoolean warned = new AtomicBoolean();

    FailureLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    void failed(String action, Throwable e) {
        if (warned.compareAndSet(false, true)) {
            log.warn("{}: {} failed; ignored (the engine goes on). Later failures are logged at DEBUG", what, action, e);
        } else if (log.isDebugEnabled()) {
            log.debug("{}: {} failed; ignored", what, action, e);
        }
    }
}
