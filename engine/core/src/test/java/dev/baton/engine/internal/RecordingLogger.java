package dev.baton.engine.internal;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A logger that keeps every event at every level, for tests of what is logged (a test appender without a backend). */
final class RecordingLogger extends LegacyAbstractLogger {
    record Event(Level level, String message, Throwable error) {}

    final List<Event> events = new ArrayList<>();

    RecordingLogger() {
        this.name = "recording";
    }

    List<Event> at(Level level) {
        return events.stream().filter(e -> e.level() == level).toList();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected synchronized void handleNormalizedLoggingCall(Level level, Marker marker, String format, Object[] args,
                                                            Throwable error) {
        events.add(new Event(level, MessageFormatter.basicArrayFormat(format, args), error));
    }

    @Override
    public boolean isTraceEnabled() {
        return true;
    }

    @Override
    public boolean isDebugEnabled() {
        return true;
    }

    @Override
    public boolean isInfoEnabled() {
        return true;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }
}
