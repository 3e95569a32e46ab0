package dev.atfork.posix;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
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

    private final StreamGuard<PrintStream> guard;
    private final Charset charset;

    ForkSafePrintStream(StreamGuard<PrintStream> guard, Charset charset) {
        super(OutputStream.nullOutputStream(), false, charset);
        this.guard = guard;
        this.charset = charset;
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
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(char c) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(c);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(int i) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(i);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(long l) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(l);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(float f) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(f);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(double d) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(d);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(char[] chars) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(chars);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void print(String text) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().print(text);
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
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println() {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(boolean b) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(b);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(char c) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(c);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(int i) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(i);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(long l) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(l);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(float f) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(f);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(double d) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(d);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(char[] chars) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(chars);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void println(String text) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().println(text);
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
        } finally {
            lock.unlock();
        }
    }

    @Override
    public PrintStream printf(String format, Object... args) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().printf(format, args);
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
        } finally {
            lock.unlock();
        }
        return this;
    }
}
