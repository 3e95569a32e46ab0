package dev.atfork.itest.reliability;

import static dev.atfork.itest.reliability.Reliability.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.itest.reliability.Reliability.Outcome;
import dev.atfork.testing.DevNull;
import dev.atfork.testing.Forker;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Two threads allocate as fast as they can (a garbage collection every few milliseconds) while the
 * test forks. The parent is never hurt: every fork returns, no exception, the allocators keep
 * going and the hooks ran once per fork. Each child prints a line to the protected
 * {@code System.out}; children's outcomes are counted by cause.
 */
class GcStormTest {

    private static final int FORKS = Reliability.scaled(100, 1_000);
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(1);

    @Test
    void forksDuringAGcStormLeaveTheParentUnhurtAndChildrenAreCountedByCause() throws Exception {
        AtforkService service = AtforkService.load();
        PrintStream savedOut = System.out;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong allocated = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger preForks = new AtomicInteger();
        AtomicInteger afterForkParents = new AtomicInteger();
        List<Thread> allocators = new ArrayList<>();
        Reliability.Tally tally = new Reliability.Tally();
        long gcBefore = gcCount();
        long start;
        long elapsed;
        long allocatedBeforeLast;
        try {
            System.setOut(DevNull.printStream());
            service.register();
            try (Registration pre = service.preFork(preForks::incrementAndGet);
                 Registration parent = service.afterForkParent(afterForkParents::incrementAndGet)) {
                Forker.ChildAction action = PrintingChild.printing("child line");
                action.run(-1);
                for (int i = 0; i < 2; i++) {
                    Thread allocator = new Thread(() -> {
                        Object[] ring = new Object[256]; // about 8 MiB live per thread, so some survive to old gen
                        int at = 0;
                        try {
                            while (!stop.get()) {
                                ring[at] = new byte[32 * 1024];
                                at = (at + 1) % ring.length;
                                allocated.incrementAndGet();
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    }, "gc-storm-" + i);
                    allocator.setDaemon(true);
                    allocators.add(allocator);
                    allocator.start();
                }
                Thread.sleep(100);
                start = System.nanoTime();
                allocatedBeforeLast = 0;
                for (int i = 0; i < FORKS; i++) {
                    if (i == FORKS - 1) {
                        allocatedBeforeLast = allocated.get();
                    }
                    tally.add(i, Forker.fork(action, CHILD_TIMEOUT), "BCA");
                }
                Thread.sleep(50);
                elapsed = System.nanoTime() - start;
            }
        } finally {
            stop.set(true);
            for (Thread allocator : allocators) {
                allocator.join(10_000);
            }
            service.deregister();
            System.setOut(savedOut);
        }
        long gcs = gcCount() - gcBefore;
        double seconds = elapsed / 1e9;
        report("GC storm: %s; %d GCs in %.1f s (one every %.1f ms), %.0f MiB allocated; parent: %d/%d forks returned,"
                        + " hooks %d/%d, allocator failure: %s", tally, gcs, seconds, seconds * 1000 / Math.max(1, gcs),
                allocated.get() * 32.0 / 1024, tally.total(), FORKS, preForks.get(), afterForkParents.get(),
                failure.get());
        if (!tally.notes.isEmpty()) {
            report("GC storm, first children that did not end ok: %s", tally.notes);
        }
        assertEquals(null, failure.get(), "an allocator failed");
        assertEquals(FORKS, tally.total());
        assertEquals(FORKS, preForks.get());
        assertEquals(FORKS, afterForkParents.get());
        assertTrue(allocated.get() > allocatedBeforeLast, "the allocators stopped");
        assertTrue(gcs > 0, "no garbage collection ran: no storm");
        assertEquals(0, tally.get(Outcome.STREAM_HANG), tally.notes::toString);
        assertEquals(0, tally.get(Outcome.CRASH), tally.notes::toString);
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }
}
