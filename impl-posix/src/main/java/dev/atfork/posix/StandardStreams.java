package dev.atfork.posix;

import java.io.FileDescriptor;
import java.io.PrintStream;

/** Puts fork-safe views in place of {@code System.out} and {@code System.err}, and back. */
final class StandardStreams {

    private static PrintStream previousOut;
    private static PrintStream previousErr;
    private static ForkSafePrintStream out;
    private static ForkSafePrintStream err;

    private StandardStreams() {
    }

    static synchronized void install() {
        if (out == null && !(System.out instanceof ForkSafePrintStream)) {
            previousOut = System.out;
            out = Watches.standard(previousOut, FileDescriptor.out, "System.out", "sun.stdout.encoding");
            System.setOut(out);
        }
        if (err == null && !(System.err instanceof ForkSafePrintStream)) {
            previousErr = System.err;
            err = Watches.standard(previousErr, FileDescriptor.err, "System.err", "sun.stderr.encoding");
            System.setErr(err);
        }
    }

    /** Puts the previous streams back where ours are still in place; ours stop being handed over. */
    static synchronized void restore() {
        if (out != null) {
            if (System.out == out) {
                System.setOut(previousOut);
            }
            out.stopWatching();
            out = null;
            previousOut = null;
        }
        if (err != null) {
            if (System.err == err) {
                System.setErr(previousErr);
            }
            err.stopWatching();
            err = null;
            previousErr = null;
        }
    }
}
