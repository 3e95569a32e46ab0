package dev.atfork.posix;

import dev.atfork.testing.TestLibC;
import java.nio.charset.StandardCharsets;

/**
 * A fixed-size log of one-byte marks that hooks append to. It allocates nothing and loads no class
 * when used, so a hook may mark it in a forked child, and the child can send it in one write.
 * Marks are made on the forking thread only; the parent reads them after the fork.
 */
final class Trace {

    private final byte[] marks = new byte[256];
    private volatile int length;

    Trace() {
        marker('w').run(); // resolves, in the parent, every method a child will call
        writeTo(-1);
        reset();
    }

    /** Appends one ASCII mark; ignored when full. */
    void mark(char mark) {
        int n = length;
        if (n < marks.length) {
            marks[n] = (byte) mark;
            length = n + 1;
        }
    }

    void reset() {
        length = 0;
    }

    /** Writes the marks to {@code fd} in one call; safe in a child. */
    void writeTo(int fd) {
        TestLibC.write(fd, marks, length);
    }

    /** Returns a Runnable that appends {@code mark}; call it from the parent only. */
    Runnable marker(char mark) {
        return () -> mark(mark);
    }

    @Override
    public String toString() {
        return new String(marks, 0, length, StandardCharsets.US_ASCII);
    }
}
