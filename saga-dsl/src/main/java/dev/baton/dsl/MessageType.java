package dev.baton.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The stable wire name of a command or reply type. Without it the name is the class's simple name.
 * Stored data and messages carry this name, never a class name, so classes can move between packages
 * without breaking sagas in flight.
 *
 * @since 0.1
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MessageType {
    /** The wire name, for example {@code "AuthorizePayment"} or {@code "payment.authorize/v2"}. */
    String value();

    /** Resolves wire names. */
    final class Names {
        private Names() {}

        /** The wire name of {@code type}: its {@link MessageType} value, or its simple name. */
        public static String of(Class<?> type) {
            MessageType mt = type.getAnnotation(MessageType.class);
            return mt != null ? mt.value() : type.getSimpleName();
        }
    }
}
