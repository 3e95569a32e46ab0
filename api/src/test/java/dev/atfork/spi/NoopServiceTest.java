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
    void eachInstanceOwnsItsRegistration() {
        AtforkService one = new NoopService("one");
        AtforkService two = new NoopService("two");
        one.register();
        assertTrue(one.isRegistered());
        assertFalse(two.isRegistered());
        two.deregister();
        assertTrue(one.isRegistered(), "another instance's deregister() changes nothing here");
        one.deregister();
        one.deregister();
        assertFalse(one.isRegistered());
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
