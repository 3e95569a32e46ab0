package dev.atfork.posix;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.Charset;
import java.util.Objects;

/** Creates the fork-safe views of {@link PosixAtforkService#watch} and of the standard streams. */
final class Watches {

    private Watches() {
    }

    static OutputStream watch(OutputStream out) {
        Objects.requireNonNull(out, "out");
        if (out instanceof ForkSafeOutputStream) {
            return watchedAgain((ForkSafeOutputStream) out, ((ForkSafeOutputStream) out).guard());
        }
        OutputStream spare = sameDestination(out);
        String name = "watched " + out + (spare == null ? " (its output in the child is dropped)" : "");
        // Exactly BufferedOutputStream: a subclass may do more in its write methods than buffer.
        OutputStream target = out.getClass() == BufferedOutputStream.class ? new UnsynchronizedBuffer(out) : out;
        return new ForkSafeOutputStream(guard(target, spare == null ? OutputStream.nullOutputStream() : spare, name));
    }

    static Writer watch(Writer out) {
        Objects.requireNonNull(out, "out");
        if (out instanceof ForkSafeWriter) {
            return watchedAgain((ForkSafeWriter) out, ((ForkSafeWriter) out).guard());
        }
        return new ForkSafeWriter(guard(out, Writer.nullWriter(), "watched " + out + " (its output in the child is dropped)"));
    }

    static PrintStream watch(PrintStream out) {
        Objects.requireNonNull(out, "out");
        if (out instanceof ForkSafePrintStream) {
            return watchedAgain((ForkSafePrintStream) out, ((ForkSafePrintStream) out).guard());
        }
        PrintStream spare = new PrintStream(OutputStream.nullOutputStream());
        String name = "watched " + out + " (its output in the child is dropped)";
        return new ForkSafePrintStream(guard(out, spare, name), StreamCharsets.of(out, null));
    }

    /**
     * A fork-safe view of a standard stream. If its lock cannot be taken at a fork, the child
     * writes straight to {@code fd}, the destination the JDK gives that stream.
     */
    static ForkSafePrintStream standard(PrintStream current, FileDescriptor fd, String name, String encodingProperty) {
        Charset charset = StreamCharsets.of(current, encodingProperty);
        PrintStream spare = new PrintStream(new FileOutputStream(fd), true, charset);
        return new ForkSafePrintStream(guard(current, spare, name), charset);
    }

    /**
     * A fork-safe view is protected as it is: a view of it would only take a second lock, and a
     * lock order the prepare phase cannot know. One no longer watched is watched again.
     */
    private static <V> V watchedAgain(V view, StreamGuard<?> guard) {
        ForkHandover.add(guard);
        return view;
    }

    private static <T extends Flushable & Closeable> StreamGuard<T> guard(T target, T spare, String name) {
        StreamGuard<T> guard = new StreamGuard<>(target, spare, name);
        ForkHandover.add(guard);
        return guard;
    }

    /** A fresh stream over the same file descriptor, or null where the destination cannot be known. */
    private static OutputStream sameDestination(OutputStream out) {
        if (out instanceof FileOutputStream) {
            try {
                return new FileOutputStream(((FileOutputStream) out).getFD());
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }
}
