package dev.atfork.posix;

import static dev.atfork.posix.ForkFixture.CHILD;
import static dev.atfork.posix.ForkFixture.PARENT;
import static dev.atfork.posix.ForkFixture.forkAndGetChildTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.spi.NativeForkHandlers;
import dev.atfork.testing.Forker;
import dev.atfork.testing.TestLibC;
import java.io.PrintStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Which hooks run at a real fork, where, and in what order, as hooks come and go. */
class HookLifecycleForkTest {

    @RegisterExtension
    final ForkFixture fixture = new ForkFixture();
    private final AtforkService service = fixture.service;

    private static volatile int preForkPid;
    private static volatile int afterForkParentPid;
    private static volatile int afterForkChildPid;

    @Test
    void mostRecentlyRegisteredRunsFirstWithinEachKind() {
        service.register();
        for (char mark : "abc".toCharArray()) {
            fixture.keep(service.preFork(PARENT.marker(mark)));
        }
        for (char mark : "pqr".toCharArray()) {
            fixture.keep(service.afterForkParent(PARENT.marker(mark)));
        }
        for (char mark : "xyz".toCharArray()) {
            fixture.keep(service.afterForkChild(CHILD.marker(mark)));
        }

        String child = forkAndGetChildTrace();

        assertEquals("cbarqp", PARENT.toString());
        assertEquals("zyx", child);
    }

    @Test
    void parentHooksRunInTheParentAndChildHooksInTheChild() throws Exception {
        Runnable pre = () -> preForkPid = TestLibC.getpid();
        Runnable parent = () -> afterForkParentPid = TestLibC.getpid();
        Runnable child = () -> afterForkChildPid = TestLibC.getpid();
        byte[] view = new byte[2];
        Forker.ChildAction report = fd -> {
            // In the child: did the child hook see this process, and did the parent hook stay out?
            view[0] = (byte) (afterForkChildPid == TestLibC.getpid() ? 'C' : '-');
            view[1] = (byte) (afterForkParentPid == 0 ? '0' : 'P');
            Forker.write(fd, view);
            return 0;
        };
        for (Runnable hook : new Runnable[] {pre, parent, child}) {
            hook.run(); // warms the lambdas up in the parent
        }
        report.run(-1);
        preForkPid = 0;
        afterForkParentPid = 0;
        afterForkChildPid = 0;
        service.register();
        fixture.keep(service.preFork(pre));
        fixture.keep(service.afterForkParent(parent));
        fixture.keep(service.afterForkChild(child));

        Forker.Result result = Forker.forkRetryingJvmHangs(() -> {
            preForkPid = 0;
            afterForkParentPid = 0;
            afterForkChildPid = 0;
        }, report, ForkFixture.TIMEOUT, Forker.Capture.NONE);

        assertTrue(result.exited(0), result::toString);
        assertEquals("C0", result.reportText());
        int self = TestLibC.getpid();
        assertEquals(self, preForkPid);
        assertEquals(self, afterForkParentPid);
        assertEquals(0, afterForkChildPid, "the child hook ran in the parent");
    }

    @Test
    void deregisterStopsAllHooksAndRegisterRestartsThem() {
        fixture.keep(service.preFork(PARENT.marker('a')));
        fixture.keep(service.afterForkParent(PARENT.marker('p')));
        service.register();
        service.register();
        fixture.keep(service.afterForkChild(CHILD.marker('x')));
        assertTrue(service.isRegistered());
        assertEquals("x", forkAndGetChildTrace());
        assertEquals("ap", PARENT.toString());

        service.deregister();
        service.deregister();
        assertFalse(service.isRegistered());
        assertEquals("", forkAndGetChildTrace());
        assertEquals("", PARENT.toString());

        service.register();
        service.register();
        assertTrue(service.isRegistered());
        assertEquals("x", forkAndGetChildTrace());
        assertEquals("ap", PARENT.toString());
    }

    @Test
    void closeRemovesTheHookAndIsIdempotent() {
        service.register();
        Registration a = fixture.keep(service.preFork(PARENT.marker('a')));
        Registration b = fixture.keep(service.preFork(PARENT.marker('b')));
        Registration p = fixture.keep(service.afterForkParent(PARENT.marker('p')));
        Registration x = fixture.keep(service.afterForkChild(CHILD.marker('x')));
        Registration y = fixture.keep(service.afterForkChild(CHILD.marker('y')));
        assertEquals("yx", forkAndGetChildTrace());
        assertEquals("bap", PARENT.toString());

        b.close();
        b.close();
        p.close();
        y.close();
        assertEquals("x", forkAndGetChildTrace());
        assertEquals("a", PARENT.toString());

        a.close();
        x.close();
        x.close();
        assertEquals("", forkAndGetChildTrace());
        assertEquals("", PARENT.toString());
    }

    @Test
    void hooksAddedDuringAForkRunFromTheNextFork() {
        service.register();
        boolean[] added = {false};
        fixture.keep(service.preFork(() -> {
            PARENT.mark('a');
            if (!added[0]) {
                added[0] = true;
                fixture.keep(service.preFork(PARENT.marker('B')));
                fixture.keep(service.afterForkParent(PARENT.marker('Q')));
                fixture.keep(service.afterForkChild(CHILD.marker('Y')));
            }
        }));

        assertEquals("", forkAndGetChildTrace());
        assertTrue(added[0]);
        assertEquals("a", PARENT.toString());

        awaitChildHandler();
        assertEquals("Y", forkAndGetChildTrace());
        assertEquals("BaQ", PARENT.toString());
    }

    @Test
    void hooksRemovedDuringAForkStillRunInThatForkAndNotAfter() {
        service.register();
        Registration b = fixture.keep(service.preFork(PARENT.marker('b')));
        Registration q = fixture.keep(service.afterForkParent(PARENT.marker('q')));
        Registration y = fixture.keep(service.afterForkChild(CHILD.marker('y')));
        fixture.keep(service.preFork(() -> {
            PARENT.mark('r');
            b.close();
            q.close();
            y.close();
        }));

        assertEquals("y", forkAndGetChildTrace());
        assertEquals("rbq", PARENT.toString());

        assertEquals("", forkAndGetChildTrace());
        assertEquals("r", PARENT.toString());
    }

    @Test
    void nullHookIsRejectedNamingTheArgument() {
        assertEquals("hook", assertThrows(NullPointerException.class, () -> service.preFork(null)).getMessage());
        assertEquals("hook", assertThrows(NullPointerException.class, () -> service.afterForkParent(null)).getMessage());
        assertEquals("hook", assertThrows(NullPointerException.class, () -> service.afterForkChild(null)).getMessage());
        service.register();
        assertThrows(NullPointerException.class, () -> service.afterForkChild(null));
        assertEquals("", forkAndGetChildTrace());
        assertEquals("", PARENT.toString());
    }

    /**
     * Each instance is a client with a switch of its own: one client's deregister() turns off its
     * own hooks only, System.out stays protected while any client is registered, and hooks run
     * newest first across clients.
     */
    @Test
    void eachInstanceOwnsItsSwitch() {
        AtforkService other = new PosixAtforkService();
        AtforkService loaded = AtforkService.load();
        assertEquals("posix", loaded.name());
        assertTrue(loaded.limitation().isEmpty());
        assertNotSame(loaded, AtforkService.load(), "load() gives each caller a client of its own");

        service.register();
        assertFalse(other.isRegistered());
        fixture.keep(service.preFork(PARENT.marker('s')));
        fixture.keep(other.preFork(PARENT.marker('o')));
        fixture.keep(loaded.afterForkParent(PARENT.marker('l')));
        fixture.keep(loaded.afterForkChild(CHILD.marker('c')));
        fixture.keep(service.preFork(PARENT.marker('t')));
        assertEquals("", forkAndGetChildTrace(), "the hooks of unregistered clients do not run");
        assertEquals("ts", PARENT.toString());

        other.register();
        loaded.register();
        PrintStream protectedOut = System.out;
        assertTrue(protectedOut instanceof ForkSafePrintStream, "System.out is protected");
        try {
            assertEquals("c", forkAndGetChildTrace());
            assertEquals("tosl", PARENT.toString(), "newest first, across clients");
        } finally {
            loaded.deregister();
            other.deregister();
        }
        assertTrue(service.isRegistered(), "another client's deregister() leaves this one registered");
        assertSame(protectedOut, System.out, "System.out stays protected while a client is registered");
        assertEquals("", forkAndGetChildTrace());
        assertEquals("ts", PARENT.toString());

        service.deregister();
        assertNotSame(protectedOut, System.out, "the last deregister() puts System.out back");
        assertEquals("", forkAndGetChildTrace());
        assertEquals("", PARENT.toString());
    }

    /**
     * The first child hook added inside a fork's handlers installs the native child handler from a
     * helper thread once libc releases its atfork lock, which is right after that fork. Waits for it,
     * so the next fork is the first one the handler can see.
     */
    private static void awaitChildHandler() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!NativeForkHandlers.isInstalled("child")) {
            assertTrue(System.nanoTime() < deadline, "the child handler was not installed within 10 s");
            Thread.onSpinWait();
        }
    }

    @Test
    void theChildTraceReachesTheParent() throws Exception {
        // Control for the fixture: an empty trace above means no hook marked it, not a lost report.
        Forker.ChildAction markAndSend = fd -> {
            CHILD.mark('k');
            return ForkFixture.SEND_CHILD_TRACE.run(fd);
        };
        markAndSend.run(-1);
        Forker.Result result = Forker.forkRetryingJvmHangs(CHILD::reset, markAndSend, ForkFixture.TIMEOUT,
                Forker.Capture.NONE);
        assertTrue(result.exited(0), result::toString);
        assertEquals("k", result.reportText());
        assertEquals("", CHILD.toString());
    }
}
