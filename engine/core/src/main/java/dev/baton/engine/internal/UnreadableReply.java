package dev.baton.engine.internal;

/**
 * Stands for the payload of a SUCCESS reply that answers the outstanding command but that the codec cannot read into
 * the step's declared reply type ({@link SagaEvent.Replied#reply()} carries it instead of the decoded reply). The
 * state machine fails the saga at once, as it does when an {@code onReply} handler throws: waiting for the timeout
 * would only re-send the command and get the participant's recorded answer, unreadable again.
 *
 * @param type the reply's wire name
 * @param field the path of the offending field, "" for the payload as a whole (not JSON, say)
 * @param problem what was wrong there, without the user's class names and without values from the payload
 */
record UnreadableReply(String type, String field, String problem) {

    /** The saga's reason: names the step, the reply type and the field. */
    String reason(String step) {
        return "the reply '" + type + "' to step '" + step + "' cannot be read: "
                + (field.isEmpty() ? "the payload " : "field '" + field + "' ") + problem
                + "; it was dead-lettered for inspection";
    }

    /**
     * A codec's problem text without what may quote the payload: Baton's JSON codec writes "must be a whole number,
     * but was the number 1.9" or "is not valid JSON: Unrecognized token 'abc'"; only the part before ", but was" or
     * ":" is kept. A codec whose words say nothing we can cut is summed up as "does not fit the reply type".
     */
    static String valueless(String problem) {
        if (problem == null || problem.isBlank()) {
            return "does not fit the reply type";
        }
        String p = problem;
        int but = p.indexOf(", but was");
        if (but >= 0) {
            p = p.substring(0, but);
        }
        int colon = p.indexOf(':');
        if (colon >= 0) {
            p = p.substring(0, colon);
        }
        p = p.strip();
        boolean plain = p.length() <= 80 && p.chars().noneMatch(ch -> ch == '"' || ch == '\'' || ch == '(' || ch == '['
                || Character.isDigit(ch));
        return plain && !p.isEmpty() ? p : "does not fit the reply type";
    }
}
