package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.posix.jna.ForkCallbacks;
import dev.atfork.posix.libc.Bindings;
import dev.atfork.testing.Forker;
import dev.atfork.testing.NativeLibraries;
import dev.atfork.testing.TestLibC;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forks from a thread the JVM did not create, as a native library's own thread does, while Java
 * threads print. The binding (JNA, or an FFM upcall) attaches such a thread to run the fork handlers; the prepare and parent
 * phases must run on the same {@link Thread}, or the parent hooks find no fork in flight and the
 * stream locks taken at prepare are never released.
 */
class NativeThreadForkTest {

    private static final int FORKS = 20;
    private static final int PRINTERS = 2;
    private static final Duration PRINT_TIMEOUT = Duration.ofSeconds(5);
    private static final byte[] CHILD_MARK = {'c'};
    private static final String NATIVE_FORKER = ForkCallbacks.NATIVE_THREAD_NAME;

    /** {@code native_fork.c}, direct-mapped. */
    static final class NativeFork {
        private NativeFork() {
        }

        /**
         * Forks once from a new pthread and returns the child's wait status (0 if it exited with
         * 0), or {@link #HUNG} with the pid of a child still running after 10 s in {@code hung[0]}.
         */
        static native int fork_from_native_thread(int[] hung);
    }

    private static final int HUNG = -5;

    /**
     * Forks once from a native thread and returns the child's wait status; again, up to three
     * times in all, while the child hangs in the JVM itself, as {@link Forker#retryingJvmHangs}
     * does: that is the JVM's own hazard, not a stream lock's.
     *
     * @param forksMade counts every fork made, retries too
     */
    private static int forkFromNativeThread(int[] forksMade) {
        for (int attempt = 1; ; attempt++) {
            int[] hung = new int[1];
            forksMade[0]++;
            int status = NativeFork.fork_from_native_thread(hung);
            if (status != HUNG) {
                return status;
            }
            String blockedOn = Forker.blockedOn(hung[0]);
            int[] killed = new int[1];
            TestLibC.kill(hung[0], TestLibC.SIGKILL);
            TestLibC.waitpid(hung[0], killed, 0);
            if (!blockedOn.equals("vm-mutex") || attempt == Forker.MAX_ATTEMPTS) {
                return killed[0];
            }
            System.err.println("a native thread's child hung in the JVM, trying again");
        }
    }

    @BeforeAll
    static void buildNativeForker(@TempDir Path dir) throws Exception {
        Native.register(NativeFork.class, NativeLibraries.compile("native_fork.c", dir).toString());
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void forksFromANativeThreadRunTheParentHooksAndReleaseTheStandardStreams() throws Exception {
        AtforkService service = AtforkService.load();
        List<Thread> prepareThreads = new CopyOnWriteArrayList<>();
        List<Thread> parentThreads = new CopyOnWriteArrayList<>();
        List<Integer> statuses = new ArrayList<>();
        int[] forksMade = new int[1];
        boolean outPrinted;
        boolean errPrinted;
        try (StreamFixture fixture = new StreamFixture()) {
            // Printers and the checks below write to /dev/null, not to Surefire's stdout and stderr.
            System.setOut(StreamFixture.devNull());
            System.setErr(StreamFixture.devNull());
            service.register();
            try (Registration pre = service.preFork(() -> prepareThreads.add(Thread.currentThread()));
                 Registration parent = service.afterForkParent(() -> parentThreads.add(Thread.currentThread()))) {
                fixture.startPrinters(PRINTERS);
                for (int i = 0; i < FORKS; i++) {
                    statuses.add(forkFromNativeThread(forksMade));
                }
                outPrinted = completesWithin(() -> System.out.println("after the forks"), "println-out");
                errPrinted = completesWithin(() -> System.err.println("after the forks"), "println-err");
            } finally {
                service.deregister();
            }
        }
        boolean forkersGone = allEnded(prepareThreads, Duration.ofSeconds(5));
        if (forksMade[0] > FORKS) {
            System.err.println((forksMade[0] - FORKS) + " native-thread forks made again after a child hung in the JVM");
        }

        assertAll(
                () -> assertEquals(Collections.nCopies(FORKS, 0), statuses, "children's wait statuses"),
                () -> assertEquals(forksMade[0], prepareThreads.size(), "preFork hooks run, one per fork made"),
                () -> assertEquals(forksMade[0], parentThreads.size(), "afterForkParent hooks run, one per fork made"),
                () -> assertTrue(outPrinted, "System.out.println did not complete within " + PRINT_TIMEOUT
                        + ": its lock is still held by a fork's prepare phase"),
                () -> assertTrue(errPrinted, "System.err.println did not complete within " + PRINT_TIMEOUT
                        + ": its lock is still held by a fork's prepare phase"));
        for (int i = 0; i < forksMade[0]; i++) {
            Thread prepare = prepareThreads.get(i);
            assertSame(prepare, parentThreads.get(i), "fork " + i + ": prepare and parent on one Thread");
            if (Bindings.LIBC.binding().equals("jna")) { // an FFM upcall's thread gets the JVM's default name
                assertEquals(NATIVE_FORKER, prepare.getName(), "fork " + i);
            }
            assertNotSame(Thread.currentThread(), prepare, "fork " + i + ": on the native thread");
            assertTrue(prepare.isDaemon(), "fork " + i + ": the attached thread must not keep the JVM alive");
        }
        assertTrue(forkersGone, "a native thread stayed attached after it exited");
    }

    /**
     * The child phase runs too, in the child, on the thread that forked: the binding left it attached, so
     * the child need not attach a thread, which a child JVM with one thread may not manage.
     */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void forksFromANativeThreadRunTheChildHooksInTheChild() throws Exception {
        int forks = 5;
        AtforkService service = AtforkService.load();
        int[] pipe = new int[2];
        assertEquals(0, TestLibC.pipe(pipe), "pipe");
        List<Integer> statuses = new ArrayList<>();
        int[] forksMade = new int[1];
        long read = 0;
        Forker.write(-1, CHILD_MARK); // loads what the child hook runs: a child that loads a class can hang

        try {
            service.register();
            try (Registration child = service.afterForkChild(() -> Forker.write(pipe[1], CHILD_MARK))) {
                for (int i = 0; i < forks; i++) {
                    statuses.add(forkFromNativeThread(forksMade));
                }
            } finally {
                service.deregister();
            }
            TestLibC.close(pipe[1]);
            pipe[1] = -1;
            // The children have ended and the last write end is closed: the pipe holds all they wrote, then end of file.
            byte[] buffer = new byte[64];
            long n;
            while ((n = TestLibC.read(pipe[0], buffer, buffer.length)) > 0) {
                read += n;
            }
        } finally {
            TestLibC.close(pipe[0]);
            if (pipe[1] >= 0) {
                TestLibC.close(pipe[1]);
            }
        }
        assertEquals(Collections.nCopies(forks, 0), statuses, "children's wait statuses");
        // A child that hung in the JVM and was retried may have run its hook before it hung.
        assertTrue(read >= forks && read <= forksMade[0], "child hooks run, one byte each: " + read
                + " bytes from " + forks + " children that exited, " + forksMade[0] + " forks made");
    }

    /** The initializer applies only to threads JNA attaches: a Java thread's fork runs its hooks on itself. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void forksFromAJavaThreadRunTheirHooksOnThatThread() {
        AtforkService service = AtforkService.load();
        List<Thread> prepareThreads = new CopyOnWriteArrayList<>();
        List<Thread> parentThreads = new CopyOnWriteArrayList<>();
        service.register();
        Forker.Result result;
        try (Registration pre = service.preFork(() -> prepareThreads.add(Thread.currentThread()));
             Registration parent = service.afterForkParent(() -> parentThreads.add(Thread.currentThread()))) {
            result = Forker.forkRetryingJvmHangs(() -> {
                prepareThreads.clear();
                parentThreads.clear();
            }, fd -> 0, Duration.ofSeconds(10), Forker.Capture.NONE);
        } finally {
            service.deregister();
        }
        assertEquals(0, result.exitStatus(), result::toString);
        assertEquals(List.of(Thread.currentThread()), prepareThreads);
        assertEquals(List.of(Thread.currentThread()), parentThreads);
        assertNotEquals(NATIVE_FORKER, Thread.currentThread().getName());
    }

    /** Runs {@code print} on a thread of its own, so a stream that stays locked fails the test instead of hanging it. */
    private static boolean completesWithin(Runnable print, String name) throws InterruptedException {
        Thread printer = new Thread(print, name);
        printer.setDaemon(true);
        printer.start();
        printer.join(PRINT_TIMEOUT.toMillis());
        return !printer.isAlive();
    }

    /** The binding detaches a thread it left attached when that thread exits, which it has once the call returned. */
    private static boolean allEnded(List<Thread> threads, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (threads.stream().anyMatch(Thread::isAlive)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return true;
    }
}
