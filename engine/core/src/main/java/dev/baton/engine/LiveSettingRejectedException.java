package dev.baton.engine;

/**
 * A run-time setting (a rollout, a policy) was refused: it is not valid ({@link #conflict()} false), or it is valid
 * but the engine nodes cannot follow it now ({@link #conflict()} true: a live node lacks a version it names). The
 * message says what to change. Nothing was stored.
 *
 * @since 0.8
 */
public final class LiveSettingRejectedException extends SagaException {
    private static final long serialVersionUID = 1L;
    private final boolean conflict;

    public LiveSettingRejectedException(String message, boolean conflict) {
        super(message);
        this.conflict = conflict;
    }

    /** True when the setting is valid but conflicts with the nodes' state; false when it is not valid. */
    public boolean conflict() {
        return conflict;
    }
}
