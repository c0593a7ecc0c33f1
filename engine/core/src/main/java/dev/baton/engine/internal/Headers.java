package dev.baton.engine.internal;

/** The protocol's header names (see docs/protocol.md). */
public final class Headers {
    private Headers() {}

    public static final String MESSAGE_ID = "baton-message-id";
    public static final String SAGA_ID = "baton-saga-id";
    public static final String SAGA_TYPE = "baton-saga-type";
    public static final String STEP = "baton-step";
    public static final String ATTEMPT = "baton-attempt";
    public static final String MESSAGE_TYPE = "baton-message-type";
    public static final String KIND = "baton-kind";
    public static final String CORRELATION_ID = "baton-correlation-id";
    public static final String OUTCOME = "baton-outcome";
    public static final String REASON = "baton-reason";
    public static final String TRACEPARENT = "traceparent";
}
