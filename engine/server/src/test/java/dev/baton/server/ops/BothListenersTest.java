package dev.baton.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.spi.SagaListener;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BothListenersTest {
    @Test
    @DisplayName("every SagaListener event reaches both listeners: none falls back to the interface's no-op default")
    void forwardsEveryEvent() throws NoSuchMethodException {
        for (Method m : SagaListener.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            assertThat(BothListeners.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass())
                    .as(m.getName()).isEqualTo(BothListeners.class);
        }
    }
}
