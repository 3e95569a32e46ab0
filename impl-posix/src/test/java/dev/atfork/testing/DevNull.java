package dev.atfork.testing;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/** Print streams that discard what they get. */
public final class DevNull {

    private DevNull() {
    }

    /** A print stream over /dev/null as the JDK would build one: autoflush over a small (128-byte) buffer. */
    public static PrintStream printStream() {
        try {
            return new PrintStream(new BufferedOutputStream(new FileOutputStream("/dev/null"), 128), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
