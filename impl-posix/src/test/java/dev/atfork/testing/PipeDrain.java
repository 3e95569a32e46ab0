package dev.atfork.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Reads a pipe into memory on a daemon thread until end of file, then closes it; optionally only once released. */
public final class PipeDrain {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Thread thread;

    /** Starts reading {@code fd} now. */
    public PipeDrain(int fd) {
        this(fd, null);
    }

    /** Starts reading {@code fd} once {@code release} is counted down (at most 30 s later), so the pipe may fill up first. */
    public PipeDrain(int fd, CountDownLatch release) {
        thread = new Thread(() -> {
            try {
                if (release != null && !release.await(30, TimeUnit.SECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            byte[] buffer = new byte[65536];
            long n;
            while ((n = TestLibC.read(fd, buffer, buffer.length)) > 0) {
                synchronized (bytes) {
                    bytes.write(buffer, 0, (int) n);
                }
            }
            TestLibC.close(fd);
        }, "pipe-drain-" + fd);
        thread.setDaemon(true);
        thread.start();
    }

    /** What was read, once the last writer closed the pipe (waiting at most 10 s). */
    public byte[] bytes() {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (bytes) {
            return bytes.toByteArray();
        }
    }

    /** {@link #bytes()} as text. */
    public String text() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }
}
