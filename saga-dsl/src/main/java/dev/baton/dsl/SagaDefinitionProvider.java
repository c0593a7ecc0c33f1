package dev.baton.dsl;

import java.util.List;

/**
 * Makes saga definitions discoverable by the standalone Baton server through {@link java.util.ServiceLoader}.
 * Implement it, list the implementation's class name in
 * {@code META-INF/services/dev.baton.dsl.SagaDefinitionProvider}, and put the jar on the server's classpath (or in
 * its definitions folder).
 *
 * <pre>{@code
 * public final class OrderSagas implements SagaDefinitionProvider {
 *     public List<SagaDefinition<?>> definitions() { return List.of(OrderSaga.DEFINITION); }
 * }
 * }</pre>
 *
 * Implementations need a public no-argument constructor.
 *
 * @since 0.1
 */
public interface SagaDefinitionProvider {
    /** The definitions to register, every version that still has instances in flight included. */
    List<SagaDefinition<?>> definitions();
}
