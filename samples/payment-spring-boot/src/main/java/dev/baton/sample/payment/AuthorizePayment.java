package dev.baton.sample.payment;

/**
 * The saga's command, as this service sees it: its own class, matched by wire name ({@code AuthorizePayment}, the
 * simple name) and JSON fields, not by sharing the saga's Java type.
 */
public record AuthorizePayment(String orderId, long amountCents) {}
