package dev.atfork.posix.libc;

import dev.atfork.spi.NativeForkHandlers;

/**
 * What the POSIX provider needs of libc, bound through JNA or through {@code java.lang.foreign}.
 * {@link #getpid()} and {@link #write} are safe to call in a forked child.
 */
public abstract class Libc {

    /** For the bindings. */
    protected Libc() {
    }

    /** The binding's name: {@code "jna"} or {@code "ffm"}. */
    public abstract String binding();

    /** {@code getpid()}: the id of the calling process, a forked child's own. */
    public abstract int getpid();

    /** {@code write(fd, bytes, length)} in one call; errors are ignored. */
    public abstract void write(int fd, byte[] bytes, int length);

    /**
     * Makes the functions libc is to call at fork for {@code handlers}. They forward to that set,
     * never let a {@link Throwable} reach native code, and live as long as the process.
     */
    public abstract ForkEntries forkEntries(NativeForkHandlers handlers);
}
