package dev.baton.participant;

import dev.baton.protocol.ErrorReports;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a handler's exception becomes: a reason for the engine with the exception's class and a new error id (no
 * message, which may hold personal data, unless the runtime opted in), and a log entry here with the full exception
 * next to that id. Like exceptions (same class, same message type) are logged in full once per interval: ERROR when the
 * answer is FAILURE, WARN when it is RETRY_LATER (a busy dependency is no emergency, and it repeats for every command
 * until it clears); the ones in between get one DEBUG line each (id and message), counted in the next full entry.
 * Thread-safe.
 */
final class HandlerErrors {
    private final ErrorReports reports;
    private final Logger log;
    private final Supplier<String> ids;
    private final boolean messagesInReasons;

    HandlerErrors(ErrorReports reports, boolean messagesInReasons) {
        // the runtime's logger: one category for everything the participant SDK logs about handling
        this(reports, LoggerFactory.getLogger(ParticipantRuntime.class), ErrorReports::newId, messagesInReasons);
    }

    HandlerErrors(ErrorReports reports, Logger log, Supplier<String> ids, boolean messagesInReasons) {
        this.reports = reports;
        this.log = log;
        this.ids = ids;
        this.messagesInReasons = messagesInReasons;
    }

    /** Logs the exception (throttled) and returns the reason to answer with. */
    String report(String participant, CommandHeaders p, Throwable t, ExceptionPolicy policy) {
        String id = ids.get();
        String answer = policy == ExceptionPolicy.FAIL ? "FAILURE" : "RETRY_LATER";
        long held = reports.admit(ErrorReports.key(t, participant + ": " + p.messageType()));
        if (held >= 0) {
            String more = held == 0 ? "" : "; " + held + " more like it since the last full report (at DEBUG)";
            if (policy == ExceptionPolicy.FAIL) {
                log.error("participant '{}': the handler for {} (message {}) threw {} (error id {}); answering {}{}",
                        participant, p.messageType(), p.messageId(), ErrorReports.className(t), id, answer, more, t);
            } else {
                log.warn("participant '{}': the handler for {} (message {}) threw {} (error id {}); answering {}{}",
                        participant, p.messageType(), p.messageId(), ErrorReports.className(t), id, answer, more, t);
            }
        } else if (log.isDebugEnabled()) {
            log.debug("participant '{}': the handler for {} (message {}) threw again (error id {}); answering {}: {}",
                    participant, p.messageType(), p.messageId(), id, answer, t.toString());
        }
        return "the handler for " + p.messageType() + " threw " + ErrorReports.describe(t, id, messagesInReasons);
    }
}
