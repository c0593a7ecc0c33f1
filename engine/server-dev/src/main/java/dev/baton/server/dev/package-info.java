/**
 * {@code baton-server --dev}: a Kafka broker in the JVM, the demo saga and its participants
 * ({@link dev.baton.server.dev.DevMode}). Packaged as {@code baton-server-dev.jar} beside {@code baton-server.jar},
 * whose manifest puts it on the class path; the production jar itself carries none of it.
 */
package dev.baton.server.dev;
