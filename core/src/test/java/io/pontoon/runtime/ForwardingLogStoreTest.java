package io.pontoon.runtime;

import io.pontoon.spi.ForwardingLogStore;
import io.pontoon.spi.LogStore;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

class ForwardingLogStoreTest {
    /** Fails when the SPI gains a method (a default one too) that ForwardingLogStore does not forward. */
    @Test
    void forwardsEveryLogStoreMethod() {
        for (Method m : LogStore.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            try {
                final Method own = ForwardingLogStore.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                assertEquals(ForwardingLogStore.class, own.getDeclaringClass());
            } catch (NoSuchMethodException e) {
                fail("ForwardingLogStore does not forward LogStore." + m.getName());
            }
        }
    }
}
