package dev.atfork.posix;

import dev.atfork.posix.libc.Bindings;
import java.nio.charset.StandardCharsets;

/**
 * Reports from a forked child with a single {@code write(2)}: no lock another thread could have
 * held at fork time, no logging, no class to load.
 */
final class ChildReport {

    static final int STDERR = 2;
    private static final String PREFIX = "atfork: afterForkChild hook failed: ";

    private ChildReport() {
    }

    static void hookFailed(Throwable failure, int fd) {
        try {
            String text = PREFIX.concat(failure.getClass().getName());
            String message = failure.getMessage();
            if (message != null) {
                text = text.concat(": ").concat(message);
            }
            write(fd, text.concat("\n").getBytes(StandardCharsets.UTF_8));
        } catch (Throwable ignored) {
            // Nothing more can be done safely in the child.
        }
    }

    static void write(int fd, byte[] bytes) {
        Bindings.LIBC.write(fd, bytes, bytes.length);
    }
}
