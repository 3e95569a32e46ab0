package dev.atfork.posix;

import static dev.atfork.posix.ForkFixture.CHILD;
import static dev.atfork.posix.ForkFixture.PARENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.spi.NativeForkHandlers;
import dev.atfork.testing.Forker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Without a child hook, a forked child runs no Java code of the library.
 *
 * <p>The dispatcher's fork-in-progress flag is set by the prepare phase and cleared by the parent
 * or child phase, so read in the child it tells whether the library's child phase ran. Once a child
 * hook was added, the native child handler stays installed for the life of the JVM; this class
 * therefore runs in a JVM of its own (the {@code no-child-hook} Surefire execution), and checks that
 * no handler was installed before it.
 */
class NoChildHookForkTest {

    private static final byte[] CHILD_PHASE_SKIPPED = {'1'};
    private static final byte[] CHILD_PHASE_RAN = {'0'};
    /** Reports whether the library's child phase ran, then sends the child's trace. */
    private static final Forker.ChildAction REPORT_CHILD_PHASE = fd -> {
        Forker.write(fd, PosixRuntime.DISPATCHER.isForkInProgress() ? CHILD_PHASE_SKIPPED : CHILD_PHASE_RAN);
        CHILD.writeTo(fd);
        return 0;
    };

    @RegisterExtension
    final ForkFixture fixture = new ForkFixture();
    private final AtforkService service = fixture.service;

    @Test
    void aChildRunsNoLibraryCodeUntilAChildHookIsAdded() throws Exception {
        assertFalse(NativeForkHandlers.isInstalled("child"),
                "a child hook was added earlier in this JVM; run this class in a JVM of its own");
        REPORT_CHILD_PHASE.run(-1);
        service.register();
        fixture.keep(service.preFork(PARENT.marker('a')));
        fixture.keep(service.afterForkParent(PARENT.marker('p')));

        assertEquals("1", fork(), "the library's child phase ran although no child hook was added");
        assertEquals("ap", PARENT.toString(), "the prepare and parent phases must have run");
        assertFalse(NativeForkHandlers.isInstalled("child"));

        // Positive control: with a child hook, the same probe sees the child phase run.
        fixture.keep(service.afterForkChild(CHILD.marker('x')));
        assertTrue(NativeForkHandlers.isInstalled("child"));
        assertEquals("0x", fork());
        assertEquals("ap", PARENT.toString());
    }

    private static String fork() {
        Forker.Result result = Forker.forkRetryingJvmHangs(() -> {
            PARENT.reset();
            CHILD.reset();
        }, REPORT_CHILD_PHASE, ForkFixture.TIMEOUT, Forker.Capture.NONE);
        assertTrue(result.exited(0), result::toString);
        assertFalse(PosixRuntime.DISPATCHER.isForkInProgress(), "the parent phase must end the fork");
        return result.reportText();
    }
}
