package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.testing.Forker;
import dev.atfork.testing.LineCheck;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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

    /** watch(System.out) while registered gives System.out itself: a second view would only take a second lock. */
    @Test
    @Timeout(30)
    void watchingTheForkSafeSystemOutGivesItBack() {
        service.register();
        assertSame(System.out, service.watch(System.out));
        assertSame(System.err, service.watch(System.err));
    }

    /**
     * Twenty forks from a thread that another thread interrupts again and again while its prepare
     * phase runs (from a preFork hook to the parent phase), while four threads write through a
     * watched stream, so the forking thread must wait for the stream's lock: every child keeps the
     * stream, with no forced release and no line dropped, and the parent keeps the interrupt.
     */
    @Test
    @Timeout(120)
    void anInterruptedForkingThreadGivesUpNoStreamWhileOthersWrite(@TempDir Path dir) throws Exception {
        service.register();
        Path file = dir.resolve("interrupted.txt");
        ForkedLines.Sink sink = WatchedStreamForkTest.Kind.PRINT_STREAM.open(file, service);
        AtomicInteger keptInterrupts = new AtomicInteger();
        Interrupter interrupter = new Interrupter();
        ForkedLines.Forks forks;
        long[] written;
        try (Registration start = service.preFork(interrupter::startInterrupting);
                Registration stop = service.afterForkParent(() -> {
                    interrupter.stopInterrupting();
                    keptInterrupts.addAndGet(Thread.interrupted() ? 1 : 0);
                })) {
            ForkedLines.Writers writers = new ForkedLines.Writers(sink, 4);
            try {
                forks = new ForkedLines.Forks(20).run(sink, ForkedLines.HANG_TIMEOUT, true);
            } finally {
                written = writers.stop();
                interrupter.close();
            }
        }
        sink.close();
        LineCheck check = forks.check(file, written);
        System.err.printf("interrupted forking thread: %s%n", forks.rates());
        assertEquals(0, forks.forcedReleases, forks::rates);
        assertEquals(0, forks.streamHangs, forks::rates);
        assertEquals(0, check.defects(), check::toString);
        assertEquals(forks.count, keptInterrupts.get(), "forks whose parent phase still saw the interrupt");
    }

    /** A thread that interrupts a forking thread every 20 µs, from its preFork hook to its parent phase. */
    private static final class Interrupter implements AutoCloseable {
        private final Thread thread;
        private volatile Thread target;
        private volatile boolean closed;
        /** Counts the interrupting thread's rounds, each of which reads {@link #target} afresh. */
        private volatile long rounds;

        Interrupter() {
            thread = new Thread(() -> {
                while (!closed) {
                    Thread forking = target;
                    if (forking != null) {
                        forking.interrupt();
                    }
                    rounds++;
                    LockSupport.parkNanos(20_000);
                }
            }, "interrupter");
            thread.setDaemon(true);
            thread.start();
        }

        /** Interrupts the calling thread now, and from another thread every 20 µs until stopped. */
        void startInterrupting() {
            Thread.currentThread().interrupt(); // pending for sure, even if no other interrupt comes in time
            target = Thread.currentThread();
        }

        /** Returns once no more interrupt can come: a round begun after this call has ended. */
        void stopInterrupting() {
            target = null;
            long seen = rounds;
            while (rounds < seen + 2) {
                Thread.onSpinWait();
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.join(10_000);
        }
    }

    /**
     * deregister(), then System.setOut(the old fork-safe view), then register(): register() puts a
     * watched view in place, so a child keeps System.out with no forced release.
     */
    @Test
    @Timeout(60)
    void registerLeavesNoStaleViewInPlace() throws Exception {
        try (StreamFixture fixture = new StreamFixture()) {
            System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true));
            service.register();
            PrintStream view = System.out;
            service.deregister();
            System.setOut(view);
            service.register();
            Forker.ChildAction print = fd -> {
                System.out.println("child line");
                System.out.flush();
                return 0;
            };
            print.run(-1);
            Forker.Result result = Forker.forkRetryingJvmHangs(() -> { }, print, TIMEOUT, Forker.Capture.BOTH);
            assertTrue(result.exited(0), result::toString);
            assertFalse(result.stderrText().contains(FORCED_RELEASE), result::toString);
            assertTrue(result.stdoutText().contains("child line"), result::toString);
            service.deregister();
            assertSame(view, System.out, "deregister() puts back what register() found");
        }
    }
}
