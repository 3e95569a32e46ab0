package dev.atfork.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Points this process's fd 2 at a pipe while a child is forked, so the pipe gets what the child
 * writes to fd 2 from its first instruction on, child hooks included; {@link Forker.Capture#STDERR}
 * redirects only once the child action starts, after the child hooks ran.
 */
public final class Fd2Pipe {

    private final int readFd;
    private final int saved;

    /** Points fd 2 at a new pipe. */
    public Fd2Pipe() {
        int[] fds = new int[2];
        if (TestLibC.pipe(fds) != 0) {
            throw new IllegalStateException("pipe failed");
        }
        readFd = fds[0];
        saved = TestLibC.dup(2);
        if (saved < 0 || TestLibC.dup2(fds[1], 2) != 2) {
            throw new IllegalStateException("fd 2 could not be redirected");
        }
        TestLibC.close(fds[1]);
    }

    /** Puts the original fd 2 back; the pipe's last writer is then gone once the child is. */
    public void restore() {
        TestLibC.dup2(saved, 2);
        TestLibC.close(saved);
    }

    /** Reads the pipe to its end (call after {@link #restore()} and the child's end), then closes it. */
    public String text() {
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
