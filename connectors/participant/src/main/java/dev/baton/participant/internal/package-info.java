/**
 * The SDK's internals: SQL of the idempotency store and error classification. Not API: no compatibility promise,
 * may change in any release.
 */
package dev.baton.participant.internal;
