package dev.atfork.posix;

import dev.atfork.testing.TestLibC;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/** A pipe nobody reads, so a thread writing to it blocks inside {@code write} once it is full. */
final class StuckPipe implements AutoCloseable {

    private final int readFd;
    private final int writeFd;
    private final PrintStream printStream;
    private volatile boolean drained;

    StuckPipe() throws IOException {
        int[] fds = new int[2];
        if (TestLibC.pipe(fds) != 0) {
            throw new IOException("pipe failed");
        }
        readFd = fds[0];
        writeFd = fds[1];
        printStream = new PrintStream(new FileOutputStream("/proc/self/fd/" + writeFd), true);
    }

    PrintStream printStream() {
        return printStream;
    }

    /** Starts a thread that prints to {@code out} until it blocks on the full pipe; returns once it is blocked. */
    Thread startWriterThatBlocks(PrintStream out) throws InterruptedException {
        String line = "x".repeat(1023);
        AtomicLong lines = new AtomicLong();
        Thread writer = new Thread(() -> {
            while (!drained) {
                out.println(line);
                lines.incrementAndGet();
            }
        }, "stuck-writer");
        writer.setDaemon(true);
        writer.start();
        awaitStuck(lines);
        return writer;
    }

    /**
     * Returns once a writer counting its writes in {@code lines} made no progress for 250 ms: it is
     * blocked inside write(2).
     */
    static void awaitStuck(AtomicLong lines) throws InterruptedException {
        long seen = -1;
        for (int still = 0; still < 5; ) {
            Thread.sleep(50);
            long now = lines.get();
            still = now == seen && now > 0 ? still + 1 : 0;
            seen = now;
        }
    }

    /** Reads the pipe empty until the writer stops, so it can finish. */
    void drain() {
        if (drained) {
            return;
        }
        drained = true;
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[65536];
            while (TestLibC.read(readFd, buffer, buffer.length) > 0) {
                // discard
            }
        }, "stuck-pipe-drain");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public void close() {
        drain();
        printStream.close();
        TestLibC.close(writeFd);
    }
}
