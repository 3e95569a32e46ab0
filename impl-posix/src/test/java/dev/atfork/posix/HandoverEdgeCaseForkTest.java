package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.testing.Forker;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Handover cases that once cost a fork its whole bound or gave a false report: layered views, interrupts. */
class HandoverEdgeCaseForkTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String FORCED_RELEASE = "atfork: deadlock for";
    private final AtforkService service = new PosixAtforkService();

    @AfterEach
    void tearDown() {
        Thread.interrupted();
        service.deregister();
    }

    /**
     * A watched writer over a watched stream: flushing the outer view at prepare writes to the
     * inner one. The forking thread must not wait for its own fork there, which cost every fork
     * the whole 100 ms bound and force-released the streams after it.
     */
    @Test
    void aViewLayeredOverAnotherCostsTheForkNoWait() throws Exception {
        service.register();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream inner = service.watch(sink);
        Writer outer = service.watch(new OutputStreamWriter(inner, StandardCharsets.UTF_8));
        outer.write("x");
        long[] forkMillis = new long[5];
        for (int i = 0; i < forkMillis.length; i++) {
            Forker.Result result = Forker.forkRetryingJvmHangs(fd -> {
                outer.write("y");
                outer.flush();
                return 0;
            }, TIMEOUT);
            assertTrue(result.exited(0), result::toString);
            assertFalse(result.stderrText().contains(FORCED_RELEASE), result::toString);
            forkMillis[i] = result.forkNanos() / 1_000_000;
        }
        Arrays.sort(forkMillis);
        System.err.println("layered views: fork took " + Arrays.toString(forkMillis) + " ms, bound 100 ms");
        assertTrue(forkMillis[2] < 50, "median fork " + forkMillis[2] + " ms: the forking thread waited for its own fork");
        assertEquals("x", sink.toString(StandardCharsets.UTF_8), "the parent's buffered byte, flushed once at prepare");
        outer.close();
    }

    /** register() from a thread with a pending interrupt works and leaves the interrupt pending. */
    @Test
    void registerFromAnInterruptedThreadKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        service.register();
        assertTrue(Thread.interrupted(), "the interrupt was swallowed");
        assertTrue(service.isRegistered());
    }

    /**
     * A fork from a thread with a pending interrupt still takes and flushes the stream locks: the
     * child keeps its streams, with no forced-release report, and the parent keeps the interrupt.
     */
    @Test
    void aForkFromAnInterruptedThreadHandsOverNormally() throws Exception {
        service.register();
        OutputStream view = service.watch(OutputStream.nullOutputStream());
        view.write('x');
        Forker.ChildAction writeOnce = fd -> {
            view.write('y');
            view.flush();
            return 0;
        };
        writeOnce.run(-1);
        // Set just before the handover, and read and cleared just after it, so that Forker's wait
        // for the child is not interrupted.
        boolean[] interruptedAfterHandover = new boolean[1];
        Forker.Result result;
        try (Registration interrupt = service.preFork(() -> Thread.currentThread().interrupt());
                Registration check = service.afterForkParent(() -> interruptedAfterHandover[0] = Thread.interrupted())) {
            result = Forker.forkRetryingJvmHangs(writeOnce, TIMEOUT);
        }
        assertTrue(result.exited(0), result::toString);
        assertFalse(result.stderrText().contains(FORCED_RELEASE), result::toString);
        assertTrue(interruptedAfterHandover[0], "the handover swallowed the interrupt");
    }
}
