package dev.baton.engine.internal;

import dev.baton.engine.SagaId;
import dev.baton.protocol.ErrorReports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the exceptions user code threw while the engine decided (reply handlers, command builders), once their
 * decision committed: in full (ERROR, stack trace, the error id the saga's reason shows) the first time per interval
 * for each class and place, then one line per occurrence at DEBUG (id and message) until the interval passed, when
 * the next full report says how many were held back. A saga's reason never holds the message; this log is where an
 * operator finds it, by the error id.
 */
final class UserErrorLog {
    private final ErrorReports reports;
    private final Logger log;

    UserErrorLog(ErrorReports reports) {
        this(reports, LoggerFactory.getLogger(UserErrorLog.class));
    }

    UserErrorLog(ErrorReports reports, Logger log) {
        this.reports = reports;
        this.log = log;
    }

    void log(SagaId id, String sagaType, Decision.UserError e) {
        long held = reports.admit(ErrorReports.key(e.error(), sagaType + ": " + e.place()));
        if (held >= 0) {
            log.error("saga {} ({}): {} threw {} (error id {}){}", id, sagaType, e.place(), ErrorReports.className(e.error()),
                    e.id(), held == 0 ? "" : "; " + held + " more like it since the last full report (at DEBUG)", e.error());
        } else if (log.isDebugEnabled()) {
            log.debug("saga {} ({}): {} threw again (error id {}): {}", id, sagaType, e.place(), e.id(), e.error().toString());
        }
    }
}
