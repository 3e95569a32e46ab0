package dev.atfork.posix;

import java.io.FileDescriptor;
import java.io.PrintStream;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Puts fork-safe views in place of {@code System.out} and {@code System.err}, and back. */
final class StandardStreams {

    private static final StandardStream OUT = new StandardStream("System.out", () -> System.out, System::setOut,
            FileDescriptor.out, "sun.stdout.encoding");
    private static final StandardStream ERR = new StandardStream("System.err", () -> System.err, System::setErr,
            FileDescriptor.err, "sun.stderr.encoding");

    private StandardStreams() {
    }

    static synchronized void install() {
        OUT.install();
        ERR.install();
    }

    /** Puts the previous streams back where ours are still in place; ours stop being handed over. */
    static synchronized void restore() {
        OUT.restore();
        ERR.restore();
    }

    /** One standard stream: how to read and set it, and what it replaced. Guarded by the class lock. */
    private static final class StandardStream {
        private final String name;
        private final Supplier<PrintStream> current;
        private final Consumer<PrintStream> setter;
        private final FileDescriptor fd;
        private final String encodingProperty;
        private PrintStream previous;
        private ForkSafePrintStream ours;

        StandardStream(String name, Supplier<PrintStream> current, Consumer<PrintStream> setter, FileDescriptor fd,
                String encodingProperty) {
            this.name = name;
            this.current = current;
            this.setter = setter;
            this.fd = fd;
            this.encodingProperty = encodingProperty;
        }

        /**
         * Wraps the current stream, unless it is a view that is still watched. A view no longer
         * watched (one put back with {@code System.setOut} after deregister()) is unwrapped: its
         * stream gets a fresh view. deregister() puts back what was found.
         */
        void install() {
            if (ours != null) {
                return;
            }
            PrintStream found = current.get();
            PrintStream wrapped = found;
            if (found instanceof ForkSafePrintStream) {
                StreamGuard<PrintStream> guard = ((ForkSafePrintStream) found).guard();
                if (guard.isWatched()) {
                    return;
                }
                wrapped = guard.target();
            }
            previous = found;
            ours = Watches.standard(wrapped, fd, name, encodingProperty);
            setter.accept(ours);
        }

        void restore() {
            if (ours != null) {
                if (current.get() == ours) {
                    setter.accept(previous);
                }
                ours.stopWatching();
                ours = null;
                previous = null;
            }
        }
    }
}
