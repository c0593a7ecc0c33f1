/**
 * Implementation details of the JDBI saga store: SQL, row mapping, error translation. Not API: no compatibility
 * promise, may change in any release.
 */
package dev.baton.jdbi.internal;
