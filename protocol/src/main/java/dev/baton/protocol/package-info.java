/**
 * The names of Baton's wire protocol, defined once for the engine and the participant SDK: the header names
 * ({@link dev.baton.protocol.Headers}), the values of {@code baton-kind} ({@link dev.baton.protocol.CommandKind}) and
 * of {@code baton-outcome} ({@link dev.baton.protocol.ReplyOutcome}). {@code docs/protocol.md} describes what each
 * means and when it is required. Depends on the JDK alone.
 */
package dev.baton.protocol;
