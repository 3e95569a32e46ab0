package dev.atfork.noop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The no-op provider. This module has no JNA and cannot fork, so "hooks never run" is checked as
 * far as it can be here: no call of the service runs a hook. The itest module checks real
 * selection of this provider in a JVM where JNA cannot load.
 */
class NoopAtforkServiceTest {

    private final AtforkService service = new NoopAtforkService();

    @AfterEach
    void tearDown() {
        service.deregister();
    }

    @Test
    void itIsNotSupportedAndNamesThisPlatform() {
        assertEquals("noop", service.name());
        assertFalse(service.isSupported());
        String limitation = service.limitation().orElseThrow();
        assertTrue(limitation.contains(System.getProperty("os.name") + " (" + System.getProperty("os.arch") + ")"),
                limitation);
    }

    @Test
    void theReasonNamesTheOperatingSystemAndArchitecture() {
        assertEquals("pthread_atfork is not available on Windows 11 (amd64)",
                NoopAtforkService.reason("Windows 11", "amd64"));
        assertEquals("the no-op provider runs no fork hooks on Plan 9 (mips);"
                + " use dev.atfork:atfork-posix for real ones", NoopAtforkService.reason("Plan 9", "mips"));
    }

    @Test
    void loadFindsItThroughServiceLoader() {
        AtforkService loaded = AtforkService.load();

        assertEquals("noop", loaded.name());
        assertFalse(loaded.isSupported());
        assertEquals(service.limitation(), loaded.limitation());
    }

    @Test
    void registrationStateIsKeptPerInstance() {
        AtforkService other = new NoopAtforkService();
        assertFalse(service.isRegistered());

        service.register();
        service.register();
        assertTrue(service.isRegistered());
        assertFalse(other.isRegistered());

        other.deregister();
        assertTrue(service.isRegistered());
        service.deregister();
        service.deregister();
        assertFalse(service.isRegistered());
    }

    @Test
    void everyCallIsAcceptedAndNoHookEverRuns() {
        AtomicInteger runs = new AtomicInteger();
        Runnable hook = runs::incrementAndGet;

        Registration pre = service.preFork(hook);
        Registration parent = service.afterForkParent(hook);
        service.register();
        Registration child = service.afterForkChild(hook);
        service.deregister();
        service.register();
        pre.close();
        pre.close();
        parent.close();
        child.close();

        assertEquals(0, runs.get());
    }

    @Test
    void nullHooksAreRejectedNamingTheArgument() {
        assertEquals("hook", assertThrows(NullPointerException.class, () -> service.preFork(null)).getMessage());
        assertEquals("hook",
                assertThrows(NullPointerException.class, () -> service.afterForkParent(null)).getMessage());
        assertEquals("hook",
                assertThrows(NullPointerException.class, () -> service.afterForkChild(null)).getMessage());
    }
}
