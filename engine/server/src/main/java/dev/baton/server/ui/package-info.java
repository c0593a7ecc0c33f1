/**
 * The operator's dashboard ({@link dev.baton.server.ui.Dashboard}): static pages served from the jar under
 * {@code /ui}, built on the REST API. See docs/dashboard.md.
 */
package dev.baton.server.ui;
