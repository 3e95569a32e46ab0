package dev.atfork.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NoopServiceTest {

    @Test
    void itSaysWhyAndIsNeverSupported() {
        AtforkService service = new NoopService("because");

        assertEquals("noop", service.name());
        assertFalse(service.isSupported());
        assertEquals(Optional.of("because"), service.limitation());
    }

    @Test
    void aNullLimitationIsRejectedNamingTheArgument() {
        assertEquals("limitation",
                assertThrows(NullPointerException.class, () -> new NoopService(null)).getMessage());
    }

    @Test
    void registrationStateIsSharedByAllInstances() {
        AtforkService one = new NoopService("one");
        AtforkService two = new NoopService("two");
        try {
            one.register();
            assertTrue(two.isRegistered());
            two.deregister();
            two.deregister();
            assertFalse(one.isRegistered());
        } finally {
            one.deregister();
        }
    }

    @Test
    void nullHooksAreRejectedNamingTheArgument() {
        AtforkService service = new NoopService("x");

        assertEquals("hook", assertThrows(NullPointerException.class, () -> service.preFork(null)).getMessage());
        assertEquals("hook",
                assertThrows(NullPointerException.class, () -> service.afterForkParent(null)).getMessage());
        assertEquals("hook",
                assertThrows(NullPointerException.class, () -> service.afterForkChild(null)).getMessage());
    }
}
