package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.testing.Forker;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the registry of watched views keeps: views in use, and nothing of views dropped or closed. */
class WatchRegistryTest {

    private static final long MB = 1024 * 1024;
    private static final String FORCED_RELEASE = "atfork: deadlock for watched ";
    private final AtforkService service = new PosixAtforkService();

    @Test
    void aMillionViewsWatchedAndDroppedKeepTheHeapFlat() throws Exception {
        watchAndDrop(100_000);
        long early = usedHeapAfterGc();
        long start = System.nanoTime();
        watchAndDrop(900_000);
        long millis = (System.nanoTime() - start) / 1_000_000;
        long late = usedHeapAfterGc();
        System.err.printf("watch-and-drop: used heap %.1f MB after 100k views, %.1f MB after 1M (%+.1f MB);"
                + " 900k views in %d ms%n", early / (double) MB, late / (double) MB, (late - early) / (double) MB, millis);
        // Leaked, 900k views would hold hundreds of MB. What grows is the registry's array: it is
        // compacted when full and sized for the views still alive then, so it follows the most views
        // created between two collections, and then stays flat.
        assertTrue(late - early < 16 * MB, () -> "the heap grew by " + (late - early) / MB + " MB");
    }

    /**
     * Watches and drops {@code count} views, none kept or closed: of print streams one in a hundred,
     * since the JDK takes tens of microseconds to build each of the three a view of one involves;
     * of writers one in ten; of binary streams the rest.
     */
    private void watchAndDrop(int count) {
        for (int i = 0; i < count; i++) {
            if (i % 100 == 1) {
                service.watch(new PrintStream(OutputStream.nullOutputStream()));
            } else if (i % 10 == 0) {
                service.watch(Writer.nullWriter());
            } else {
                service.watch(OutputStream.nullOutputStream());
            }
        }
    }

    private long usedHeapAfterGc() throws Exception {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
            // The weak registry drops the entries of collected views when an addition finds it full.
            service.watch(OutputStream.nullOutputStream()).close();
        }
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /**
     * A thread is blocked inside a write to each of three closed views, and to one open view, at
     * the fork. The open view's lock cannot be taken, which the child reports; the closed ones are
     * no longer handed over, so nothing names them: had they been, their locks could not have
     * been taken either.
     */
    @Test
    void aClosedViewIsNoLongerHandedOverAtFork() throws Exception {
        Blocker open = new Blocker("open-blocking-stream");
        Blocker closedStream = new Blocker("closed-blocking-stream");
        Blocker closedWriter = new Blocker("closed-blocking-writer");
        Blocker closedPrintStream = new Blocker("closed-blocking-print-stream");
        List<Thread> threads = new ArrayList<>();
        try (StreamFixture fixture = new StreamFixture()) {
            service.register();
            OutputStream openView = service.watch(open.outputStream());
            try {
                OutputStream closedStreamView = service.watch(closedStream.outputStream());
                Writer closedWriterView = service.watch(closedWriter.writer());
                PrintStream closedPrintView = service.watch(closedPrintStream.printStream());
                closedStreamView.close();
                closedWriterView.close();
                closedPrintView.close();
                threads.add(open.blockIn(() -> openView.write('x')));
                threads.add(closedStream.blockIn(() -> closedStreamView.write('x')));
                threads.add(closedWriter.blockIn(() -> closedWriterView.write('x')));
                threads.add(closedPrintStream.blockIn(() -> closedPrintView.write('x')));

                writeInChild(service.watch(OutputStream.nullOutputStream())).run(-1);
                Forker.Result result = Forker.forkRetryingJvmHangs(writeInChild(openView), Duration.ofSeconds(10));
                String stderr = result.stderrText();
                assertTrue(result.exited(0) && result.reportText().equals("BA"), result::toString);
                assertTrue(stderr.contains(FORCED_RELEASE + open.name), result::toString);
                assertFalse(stderr.contains(closedStream.name), result::toString);
                assertFalse(stderr.contains(closedWriter.name), result::toString);
                assertFalse(stderr.contains(closedPrintStream.name), result::toString);
            } finally {
                for (Blocker blocker : List.of(open, closedStream, closedWriter, closedPrintStream)) {
                    blocker.release.countDown();
                }
                for (Thread thread : threads) {
                    thread.join(10_000);
                }
                openView.close();
                service.deregister();
            }
        }
    }

    @Test
    void watchRejectsNullNamingTheArgument() {
        assertEquals("out", assertThrows(NullPointerException.class, () -> service.watch((OutputStream) null)).getMessage());
        assertEquals("out", assertThrows(NullPointerException.class, () -> service.watch((Writer) null)).getMessage());
        assertEquals("out", assertThrows(NullPointerException.class, () -> service.watch((PrintStream) null)).getMessage());
    }

    /** Child action: marks "B", writes a byte through {@code view} and flushes, marks "A". */
    private static Forker.ChildAction writeInChild(OutputStream view) {
        return fd -> {
            Forker.write(fd, StreamFixture.BEFORE);
            view.write('y');
            view.flush();
            Forker.write(fd, StreamFixture.AFTER);
            return 0;
        };
    }

    /** Targets whose writes block until released, and whose close does nothing, so a closed view can still be locked. */
    private static final class Blocker {
        final String name;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        Blocker(String name) {
            this.name = name;
        }

        interface Write {
            void run() throws Exception;
        }

        /** Starts a thread that makes {@code write}; returns once it is blocked inside the target. */
        Thread blockIn(Write write) throws InterruptedException {
            Thread thread = new Thread(() -> {
                try {
                    write.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "blocked-in-" + name);
            thread.setDaemon(true);
            thread.start();
            assertTrue(entered.await(10, TimeUnit.SECONDS), name + ": the write did not reach the target");
            return thread;
        }

        private void block() {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        OutputStream outputStream() {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    block();
                }

                @Override
                public void close() {
                    // stays usable
                }

                @Override
                public String toString() {
                    return name;
                }
            };
        }

        Writer writer() {
            return new Writer() {
                @Override
                public void write(char[] chars, int offset, int length) {
                    block();
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                    // stays usable
                }

                @Override
                public String toString() {
                    return name;
                }
            };
        }

        PrintStream printStream() {
            return new PrintStream(OutputStream.nullOutputStream()) {
                @Override
                public void write(int b) {
                    block();
                }

                @Override
                public void write(byte[] bytes, int offset, int length) {
                    block();
                }

                @Override
                public void close() {
                    // stays usable
                }

                @Override
                public String toString() {
                    return name;
                }
            };
        }
    }
}
