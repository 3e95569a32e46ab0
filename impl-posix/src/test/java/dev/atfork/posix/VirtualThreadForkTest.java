package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atfork.AtforkService;
import dev.atfork.testing.Forker;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Virtual threads (JDK 21 and later) and forks: a virtual thread that forks, and virtual threads
 * that print while another thread forks. No child may hang on a stream.
 */
class VirtualThreadForkTest {

    private static final int FORKS = 40;
    private final AtforkService service = new PosixAtforkService();
    private MethodHandle startVirtualThread;

    @BeforeEach
    void requireVirtualThreads() throws ReflectiveOperationException {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21 or later");
        startVirtualThread = MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread",
                MethodType.methodType(Thread.class, Runnable.class));
    }

    @AfterEach
    void tearDown() {
        service.deregister();
    }

    @Test
    @Timeout(120)
    void virtualThreadsPrintingWhileAPlatformThreadForks() throws Throwable {
        int[] outcomes = forkWhileVirtualThreadsPrint(() -> {
            int[] counted = new int[3];
            forkRepeatedly(counted);
            return counted;
        });
        assertEquals(0, outcomes[1], "children hung on a stream: " + Arrays.toString(outcomes));
    }

    @Test
    @Timeout(120)
    void aVirtualThreadForksWhileOthersPrint() throws Throwable {
        int[] outcomes = forkWhileVirtualThreadsPrint(() -> {
            int[] counted = new int[3];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread forker = start(() -> {
                try {
                    forkRepeatedly(counted);
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            forker.join();
            if (failure.get() != null) {
                throw new AssertionError("the virtual forking thread failed", failure.get());
            }
            return counted;
        });
        assertEquals(0, outcomes[1], "children hung on a stream: " + Arrays.toString(outcomes));
    }

    /** Four virtual threads print to the fork-safe System.out (sent to /dev/null) while {@code forks} runs. */
    private int[] forkWhileVirtualThreadsPrint(ThrowingSupplier forks) throws Throwable {
        try (StreamFixture fixture = new StreamFixture()) {
            System.setOut(StreamFixture.devNull());
            service.register();
            StreamFixture.printInChild(-1);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> printers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int id = i;
                printers.add(start(() -> {
                    long n = 0;
                    while (!stop.get()) {
                        System.out.println("virtual printer " + id + " line " + n++);
                    }
                }));
            }
            try {
                int[] outcomes = forks.get();
                System.err.printf("virtual threads: %d forks: %d ok, %d hung on a stream, %d in the JVM%n",
                        FORKS, outcomes[0], outcomes[1], outcomes[2]);
                return outcomes;
            } finally {
                stop.set(true);
                for (Thread printer : printers) {
                    printer.join(10_000);
                }
            }
        }
    }

    private static void forkRepeatedly(int[] outcomes) {
        for (int i = 0; i < FORKS; i++) {
            outcomes[StreamFixture.outcomeIndex(Forker.fork(StreamFixture::printInChild, Duration.ofSeconds(3)))]++;
        }
    }

    private Thread start(Runnable task) throws Throwable {
        return (Thread) startVirtualThread.invokeExact(task);
    }

    /** Produces the fork outcomes; may throw. */
    @FunctionalInterface
    private interface ThrowingSupplier {
        int[] get() throws Throwable;
    }
}
