package dev.atfork.posix;

import dev.atfork.testing.DevNull;
import dev.atfork.testing.Forker;
import dev.atfork.testing.Printer;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the stream tests share: saving and restoring {@code System.out}/{@code System.err},
 * printer threads, and child markers. The child marks "B" on arrival, allocates what the printing
 * step will allocate and marks "C", prints, and marks "A". A child stuck between C and A hangs on
 * the stream; one stuck earlier hangs in the JVM itself (most often on a garbage collection that
 * no thread can run).
 */
final class StreamFixture implements AutoCloseable {

    static final byte[] BEFORE = "B".getBytes(StandardCharsets.US_ASCII);
    static final byte[] ALLOCATED = "C".getBytes(StandardCharsets.US_ASCII);
    static final byte[] AFTER = "A".getBytes(StandardCharsets.US_ASCII);
    private static final String CHILD_LINE = "child line";

    private final PrintStream savedOut = System.out;
    private final PrintStream savedErr = System.err;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    static {
        Forker.write(-1, BEFORE);
    }

    /** A print stream that discards what it gets, as the JDK would build one: autoflush over a small buffer. */
    static PrintStream devNull() {
        return DevNull.printStream();
    }

    /** Starts {@code count} threads that print lines through the current {@code System.out} without pause. */
    void startPrinters(int count) {
        for (int i = 0; i < count; i++) {
            Thread printer = Printer.printer("printer-" + i, i, stop);
            printer.start();
            threads.add(printer);
        }
    }

    /** Child action: marks, allocates, marks, prints a line to System.out, marks again. */
    static int printInChild(int fd) {
        Forker.write(fd, BEFORE);
        allocateLikePrintln();
        Forker.write(fd, ALLOCATED);
        System.out.println(CHILD_LINE);
        System.out.flush();
        Forker.write(fd, AFTER);
        return 0;
    }

    private static void allocateLikePrintln() {
        if (CHILD_LINE.concat(System.lineSeparator()).getBytes(StandardCharsets.UTF_8).length == 0) {
            throw new IllegalStateException();
        }
    }

    /**
     * What a child's markers and wait say: "ok"; "stream" if it hung while printing, parked on a
     * Java-level lock; else "jvm", a hang in the JVM itself (a JVM-internal mutex that a thread
     * held at fork time, or a step before printing).
     */
    static String outcome(Forker.Result result) {
        String marks = result.reportText();
        if (marks.equals("BCA") && result.exited(0)) {
            return "ok";
        }
        return marks.startsWith("BC") && result.blockedOn().equals("lock") ? "stream" : "jvm";
    }

    /** {@link #outcome} as an index: 0 ok, 1 hung on a stream, 2 hung in the JVM. */
    static int outcomeIndex(Forker.Result result) {
        String outcome = outcome(result);
        return "ok".equals(outcome) ? 0 : "stream".equals(outcome) ? 1 : 2;
    }

    static OutputStream uncheckedFile(java.nio.file.Path path) {
        try {
            return new FileOutputStream(path.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(5_000);
        }
        System.setOut(savedOut);
        System.setErr(savedErr);
    }
}
