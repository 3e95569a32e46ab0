package dev.atfork.posix;

import static dev.atfork.posix.ForkFixture.CHILD;
import static dev.atfork.posix.ForkFixture.PARENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.testing.Forker;
import dev.atfork.testing.TestLibC;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
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
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
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
    void failingParentHooksAreLoggedAndTheOthersRun() {
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

        assertEquals("x", ForkFixture.forkAndGetChildTrace());

        assertEquals("baqp", PARENT.toString());
        assertEquals(2, logged.size(), logged::toString);
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
            ChildStderr stderr = new ChildStderr();
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

    private static void assertFailureLogged(LogRecord record, String kind, Throwable failure) {
        assertEquals(Level.SEVERE, record.getLevel());
        assertTrue(record.getMessage().contains(kind), record.getMessage());
        assertSame(failure, record.getThrown());
    }

    /**
     * Points fd 2 at a pipe while a child is forked, so the pipe gets what the child writes to fd 2
     * from its first instruction on; {@link Forker.Capture#STDERR} redirects only once the child
     * action starts, after the child hooks ran.
     */
    private static final class ChildStderr {
        private final int readFd;
        private final int saved;

        ChildStderr() {
            int[] fds = new int[2];
            assertEquals(0, TestLibC.pipe(fds));
            readFd = fds[0];
            saved = TestLibC.dup(2);
            assertTrue(saved >= 0);
            assertEquals(2, TestLibC.dup2(fds[1], 2));
            TestLibC.close(fds[1]);
        }

        /** Puts the original fd 2 back; the pipe's last writer is then gone once the child is. */
        void restore() {
            TestLibC.dup2(saved, 2);
            TestLibC.close(saved);
        }

        String text() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            long n;
            while ((n = TestLibC.read(readFd, buffer, buffer.length)) > 0) {
                bytes.write(buffer, 0, (int) n);
            }
            TestLibC.close(readFd);
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
