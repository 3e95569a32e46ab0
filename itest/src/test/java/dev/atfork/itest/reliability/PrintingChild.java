package dev.atfork.itest.reliability;

import dev.atfork.testing.Forker;
import java.nio.charset.StandardCharsets;

/** The suite's child action that prints one line to {@code System.out} between the {@link Reliability} markers. */
final class PrintingChild {

    private PrintingChild() {
    }

    /**
     * Marks B, allocates what {@code println(line)} will, marks C, prints {@code line} to
     * {@code System.out}, marks A; a child stuck between C and A hangs on the stream.
     */
    static Forker.ChildAction printing(String line) {
        return fd -> {
            Forker.write(fd, Reliability.BEFORE);
            if (line.concat(System.lineSeparator()).getBytes(StandardCharsets.UTF_8).length == 0) {
                throw new IllegalStateException();
            }
            Forker.write(fd, Reliability.ALLOCATED);
            System.out.println(line);
            Forker.write(fd, Reliability.AFTER);
            return 0;
        };
    }
}
