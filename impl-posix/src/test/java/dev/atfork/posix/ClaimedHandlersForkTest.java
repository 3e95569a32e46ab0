package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.spi.NativeForkHandlers;
import dev.atfork.testing.EventFork;
import dev.atfork.testing.Forker;
import dev.atfork.testing.IdleForkTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Past the caller check: code of the provider's own package that claims native fork handlers
 * gets a set of its own, which cannot switch the provider's handlers off.
 */
class ClaimedHandlersForkTest {

    private static final StringBuffer events = new StringBuffer();

    @Test
    @Timeout(60)
    void aSecondClaimGetsItsOwnSetAndCannotSwitchTheProviderOff() {
        AtforkService service = new PosixAtforkService();
        service.register();
        try (Registration hook = service.preFork(() -> events.append("pre,"))) {
            NativeForkHandlers other = NativeForkHandlers.claim();
            other.activate(new IdleForkTarget());
            other.prepare(); // its own handlers' phases reach its own target only
            other.parent();
            other.release();
            assertThrows(IllegalStateException.class, () -> other.activate(new IdleForkTarget()), "a released set is not held");

            Forker.Result result = EventFork.forkReporting(events);
            assertTrue(result.exited(0), result::toString);
            assertEquals("pre,", result.reportText(), "the child saw the preFork hook");
            assertEquals("pre,", events.toString(), "the preFork hook ran in the parent");
        } finally {
            service.deregister();
        }
    }
}
