package dev.atfork.posix;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fork-safe print stream over another one: {@code System.out} and {@code System.err} while
 * registered, and {@link dev.atfork.AtforkService#watch(PrintStream)}.
 *
 * <p>Each call is the target's own same call, made under the guard's lock, so calls from
 * different threads never interleave, and the target encodes: a surrogate pair split across calls,
 * or a byte-order mark, comes out as the target alone would write it. Flushing, errors, closing
 * and autoflush are the target's own.
 */
final class ForkSafePrintStream extends PrintStream {

    private static final String LINE_SEPARATOR = System.lineSeparator();

    private final StreamGuard<PrintStream> guard;
    private final Charset charset;
    /** Whether {@code String.getBytes} writes what the target's encoder writes for a whole line. */
    private final boolean encodesAsTarget;
    /**
     * Whether the last text call was a {@code println}, so that the target's encoder holds no
     * character of it (a high surrogate waiting for its pair); guarded by the lock.
     */
    private boolean lineEnded;

    ForkSafePrintStream(StreamGuard<PrintStream> guard, Charset charset) {
        super(OutputStream.nullOutputStream(), false, charset);
        this.guard = guard;
        this.charset = charset;
        this.encodesAsTarget = guard.target().getClass() == PrintStream.class
                && StreamCharsets.isExact(guard.target(), charset)
                && (charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.ISO_8859_1)
                        || charset.equals(StandardCharsets.US_ASCII));
    }

    /** Returns the charset this stream encodes text with, as {@code PrintStream.charset()} does since JDK 18. */
    public Charset charset() {
        return charset;
    }

    /** The guard of this view. */
    StreamGuard<PrintStream> guard() {
        return guard;
    }

    /** Stops handing this stream over at forks; it keeps working. */
    void stopWatching() {
        ForkHandover.remove(guard);
    }

    /** Ends the watch and closes the target. */
    @Override
    public void close() {
        stopWatching();
        ReentrantLock lock = guard.lock();
        try {
            guard.target().close();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().flush();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean checkError() {
        ReentrantLock lock = guard.lock();
        try {
            return guard.target().checkError();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(int b) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().write(b);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().write(bytes, offset, length);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().write(bytes);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void writeBytes(byte[] bytes) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().writeBytes(bytes);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(boolean b) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(b);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(char c) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(c);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(int i) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(i);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(long l) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(l);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(float f) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(f);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(double d) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(d);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(char[] chars) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(chars);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(String text) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(text);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(Object object) {
        String text = String.valueOf(object); // the object's own code runs outside the lock, as in the JDK
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(text);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println() {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println();
            lineEnded = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(boolean b) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(b);
            lineEnded = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(char c) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(c);
            lineEnded = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(int i) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(i);
            lineEnded = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(long l) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(l);
            lineEnded = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(float f) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(f);
            lineEnded = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(double d) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(d);
            lineEnded = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(char[] chars) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(chars);
            lineEnded = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Where the target is a plain {@code PrintStream} whose charset is known and keeps no state
     * between calls, and its encoder holds nothing from an earlier call, encodes the line outside
     * the lock and writes its bytes, as the target's own {@code println} would write them.
     */
    @Override
    public void println(String text) {
        byte[] line = encodesAsTarget ? String.valueOf(text).concat(LINE_SEPARATOR).getBytes(charset) : null;
        ReentrantLock lock = guard.lock();
        try {
            PrintStream target = guard.target();
            if (line != null && lineEnded && target.getClass() == PrintStream.class) {
                target.write(line, 0, line.length);
            } else {
                target.println(text);
            }
            lineEnded = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(Object object) {
        String text = String.valueOf(object); // the object's own code runs outside the lock, as in the JDK
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(text);
            lineEnded = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public PrintStream printf(String format, Object... args) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().printf(format, args);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    public PrintStream printf(Locale locale, String format, Object... args) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().printf(locale, format, args);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    public PrintStream format(String format, Object... args) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().format(format, args);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    public PrintStream format(Locale locale, String format, Object... args) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().format(locale, format, args);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    public PrintStream append(CharSequence text) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().append(text);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    public PrintStream append(CharSequence text, int start, int end) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().append(text, start, end);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    public PrintStream append(char c) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().append(c);
            lineEnded = false;
        } finally {
            lock.unlock();
        }
        return this;
    }
}
