package dev.atfork.posix;

import static dev.atfork.posix.ForkFixture.CHILD;
import static dev.atfork.posix.ForkFixture.PARENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.testing.Fd2Pipe;
import dev.atfork.testing.Forker;
import dev.atfork.testing.LogCapture;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A hook that throws: the other hooks still run, the fork completes, and the failure is reported. */
class HookFailureForkTest {

    /** Thrown in the child; made in the parent so the child allocates nothing to throw it. */
    private static final IllegalStateException CHILD_FAILURE = new IllegalStateException("child boom");
    private static final RuntimeException PRE_FAILURE = new IllegalArgumentException("pre boom");
    private static final RuntimeException PARENT_FAILURE = new UnsupportedOperationException("parent boom");
    /** Held strongly: java.util.logging keeps loggers only weakly. */
    private static final Logger LOGGER = Logger.getLogger("dev.atfork");

    private final ForkFixture fixture = new ForkFixture();
    private final AtforkService service = fixture.service;
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new LogCapture(logged::add);
    private boolean usedParentHandlers;

    @BeforeEach
    void captureLog() {
        usedParentHandlers = LOGGER.getUseParentHandlers();
        LOGGER.setUseParentHandlers(false);
        LOGGER.addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        fixture.close();
        LOGGER.removeHandler(capture);
        LOGGER.setUseParentHandlers(usedParentHandlers);
    }

    @Test
    void failingParentHooksAreLoggedAndTheOthersRun() throws InterruptedException {
        service.register();
        fixture.keep(service.preFork(PARENT.marker('a')));
        fixture.keep(service.preFork(() -> {
            throw PRE_FAILURE;
        }));
        fixture.keep(service.preFork(PARENT.marker('b')));
        fixture.keep(service.afterForkParent(PARENT.marker('p')));
        fixture.keep(service.afterForkParent(() -> {
            throw PARENT_FAILURE;
        }));
        fixture.keep(service.afterForkParent(PARENT.marker('q')));
        fixture.keep(service.afterForkChild(CHILD.marker('x')));

        // A fork whose child hung in the JVM is made again; each fork logs its own two failures.
        int[] forks = new int[1];
        Forker.Result result = Forker.forkRetryingJvmHangs(() -> {
            forks[0]++;
            PARENT.reset();
            CHILD.reset();
        }, ForkFixture.SEND_CHILD_TRACE, ForkFixture.TIMEOUT, Forker.Capture.NONE);
        assertTrue(result.exited(0), result::toString);
        assertEquals("x", result.reportText());
        assertTrue(CHILD.toString().isEmpty(), () -> "a child hook ran in the parent: " + CHILD);

        assertEquals("baqp", PARENT.toString());
        awaitLogged(2 * forks[0]);
        assertEquals(2 * forks[0], logged.size(), logged::toString);
        assertFailureLogged(logged.get(0), "preFork", PRE_FAILURE);
        assertFailureLogged(logged.get(1), "afterForkParent", PARENT_FAILURE);
    }

    @Test
    void aFailingChildHookIsReportedOnStderrAndTheOthersRun() throws Exception {
        Runnable failing = () -> {
            throw CHILD_FAILURE;
        };
        service.register();
        fixture.keep(service.preFork(PARENT.marker('a')));
        fixture.keep(service.afterForkChild(CHILD.marker('x')));
        fixture.keep(service.afterForkChild(failing));
        fixture.keep(service.afterForkChild(CHILD.marker('y')));

        String[] childStderr = new String[1];
        Forker.Result result = Forker.retryingJvmHangs(() -> {
            // The child hook writes to fd 2 before Forker can capture it, so each attempt has its own pipe.
            Fd2Pipe stderr = new Fd2Pipe();
            Forker.Result attempt;
            try {
                CHILD.reset();
                PARENT.reset();
                attempt = Forker.fork(ForkFixture.SEND_CHILD_TRACE, ForkFixture.TIMEOUT);
            } finally {
                stderr.restore();
            }
            childStderr[0] = stderr.text();
            return attempt;
        });

        assertTrue(result.exited(0), result::toString);
        assertEquals("yx", result.reportText());
        assertEquals("a", PARENT.toString());
        assertEquals("atfork: afterForkChild hook failed: java.lang.IllegalStateException: child boom\n",
                childStderr[0]);
        assertTrue(logged.isEmpty(), logged::toString);
    }

    /**
     * A failure that cannot even be described: the hook's {@code run()}, its {@code toString()}
     * and its exception's {@code getMessage()} all throw, and so does a logging handler. Forty
     * forks while four threads print: every child prints, and the hooks of each fork pair up.
     */
    @Test
    @Timeout(120)
    void aFailureThatCannotBeReportedSkipsNoPhase() throws Exception {
        Handler throwing = new LogCapture(record -> {
            throw new IllegalStateException("log handler boom");
        });
        LOGGER.addHandler(throwing);
        AtomicInteger prepared = new AtomicInteger();
        AtomicInteger resumed = new AtomicInteger();
        int forks = 40;
        int[] outcomes = new int[3];
        try (StreamFixture streams = new StreamFixture()) {
            System.setOut(StreamFixture.devNull());
            service.register();
            fixture.keep(service.preFork(prepared::incrementAndGet));
            fixture.keep(service.preFork(new Undescribable()));
            fixture.keep(service.afterForkParent(new Undescribable()));
            fixture.keep(service.afterForkParent(resumed::incrementAndGet));
            streams.startPrinters(4);
            for (int i = 0; i < forks; i++) {
                outcomes[StreamFixture.outcomeIndex(Forker.fork(StreamFixture::printInChild, Duration.ofSeconds(3)))]++;
            }
        } finally {
            LOGGER.removeHandler(throwing);
        }
        assertEquals(0, outcomes[1], "children hung on a stream: " + Arrays.toString(outcomes));
        assertEquals(forks, prepared.get());
        assertEquals(forks, resumed.get(), "afterForkParent hooks that ran");
        awaitLogged(2);
        assertTrue(logged.get(0).getMessage().contains("toString() threw"), logged.get(0).getMessage());
    }

    /**
     * A logging backend that blocks, as one writing to a full stderr pipe does: a prepare-phase
     * failure is reported after the fork, off the fork path, so the forks go on.
     */
    @Test
    @Timeout(60)
    void aBlockedLogHandlerHoldsUpNoFork() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        Handler blocking = new LogCapture(record -> {
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        LOGGER.addHandler(blocking);
        try {
            service.register();
            fixture.keep(service.preFork(() -> {
                throw PRE_FAILURE;
            }));
            for (int i = 0; i < 3; i++) {
                Forker.Result result = Forker.forkRetryingJvmHangs(fd -> 0, Duration.ofSeconds(10));
                assertTrue(result.exited(0), result::toString);
                assertTrue(result.forkNanos() < 5_000_000_000L, "fork took " + result.forkNanos() / 1_000_000 + " ms");
            }
        } finally {
            unblock.countDown();
            LOGGER.removeHandler(blocking);
        }
        awaitLogged(3);
    }

    private void awaitLogged(int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (logged.size() < count && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
    }

    /** A hook that throws, whose description throws, and whose exception's message throws. */
    private static final class Undescribable implements Runnable {
        @Override
        public void run() {
            throw new IllegalStateException() {
                @Override
                public String getMessage() {
                    throw new UnsupportedOperationException("no message");
                }
            };
        }

        @Override
        public String toString() {
            throw new UnsupportedOperationException("no description");
        }
    }

    private static void assertFailureLogged(LogRecord record, String kind, Throwable failure) {
        assertEquals(Level.SEVERE, record.getLevel());
        assertTrue(record.getMessage().contains(kind), record.getMessage());
        assertSame(failure, record.getThrown());
    }
}
