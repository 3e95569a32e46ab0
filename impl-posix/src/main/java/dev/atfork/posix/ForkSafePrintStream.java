package dev.atfork.posix;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fork-safe print stream over another one: {@code System.out} and {@code System.err} while
 * registered, and {@link dev.atfork.AtforkService#watch(PrintStream)}.
 *
 * <p>Text is encoded with the target's charset before the lock is taken, and each call reaches
 * the target as one {@code write}, so a {@code println} is never torn. Flushing, errors and
 * closing are the target's own, as are its autoflush rules.
 */
final class ForkSafePrintStream extends PrintStream {

    private static final String LINE_SEPARATOR = System.lineSeparator();

    private final StreamGuard<PrintStream> guard;
    private final Charset charset;

    ForkSafePrintStream(StreamGuard<PrintStream> guard, Charset charset) {
        super(OutputStream.nullOutputStream(), false, charset);
        this.guard = guard;
        this.charset = charset;
    }

    /** Writes {@code text} in one piece. Uses no string concatenation, whose first use would spin classes. */
    private void writeText(String text) {
        byte[] bytes = text.getBytes(charset);
        writeBytes(bytes, 0, bytes.length);
    }

    private void writeLine(String text) {
        writeText(text.concat(LINE_SEPARATOR));
    }

    private void writeBytes(byte[] bytes, int offset, int length) {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().write(bytes, offset, length);
        } finally {
            lock.unlock();
        }
    }

    /** Returns the charset this stream encodes text with, as {@code PrintStream.charset()} does since JDK 18. */
    public Charset charset() {
        return charset;
    }

    /** The guard of this view. */
    StreamGuard<PrintStream> guard() {
        return guard;
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
        writeBytes(bytes, offset, length);
    }

    @Override
    public void write(byte[] bytes) {
        writeBytes(bytes, 0, bytes.length);
    }

    /** Writes all of {@code bytes}, as {@code PrintStream.writeBytes} does since JDK 14. */
    @Override
    public void writeBytes(byte[] bytes) {
        writeBytes(bytes, 0, bytes.length);
    }

    @Override
    public void print(boolean b) {
        writeText(String.valueOf(b));
    }

    @Override
    public void print(char c) {
        writeText(String.valueOf(c));
    }

    @Override
    public void print(int i) {
        writeText(String.valueOf(i));
    }

    @Override
    public void print(long l) {
        writeText(String.valueOf(l));
    }

    @Override
    public void print(float f) {
        writeText(String.valueOf(f));
    }

    @Override
    public void print(double d) {
        writeText(String.valueOf(d));
    }

    @Override
    public void print(char[] chars) {
        writeText(new String(chars));
    }

    @Override
    public void print(String text) {
        writeText(String.valueOf(text));
    }

    @Override
    public void print(Object object) {
        writeText(String.valueOf(object));
    }

    @Override
    public void println() {
        writeText(LINE_SEPARATOR);
    }

    @Override
    public void println(boolean b) {
        writeLine(String.valueOf(b));
    }

    @Override
    public void println(char c) {
        writeLine(String.valueOf(c));
    }

    @Override
    public void println(int i) {
        writeLine(String.valueOf(i));
    }

    @Override
    public void println(long l) {
        writeLine(String.valueOf(l));
    }

    @Override
    public void println(float f) {
        writeLine(String.valueOf(f));
    }

    @Override
    public void println(double d) {
        writeLine(String.valueOf(d));
    }

    @Override
    public void println(char[] chars) {
        writeLine(new String(chars));
    }

    @Override
    public void println(String text) {
        writeLine(String.valueOf(text));
    }

    @Override
    public void println(Object object) {
        writeLine(String.valueOf(object));
    }

    @Override
    public PrintStream printf(String format, Object... args) {
        return format(format, args);
    }

    @Override
    public PrintStream printf(Locale locale, String format, Object... args) {
        return format(locale, format, args);
    }

    @Override
    public PrintStream format(String format, Object... args) {
        return format(Locale.getDefault(Locale.Category.FORMAT), format, args);
    }

    @Override
    public PrintStream format(Locale locale, String format, Object... args) {
        writeText(String.format(locale, format, args));
        return this;
    }

    @Override
    public PrintStream append(CharSequence text) {
        writeText(String.valueOf(text));
        return this;
    }

    @Override
    public PrintStream append(CharSequence text, int start, int end) {
        CharSequence chars = text == null ? "null" : text;
        writeText(chars.subSequence(start, end).toString());
        return this;
    }

    @Override
    public PrintStream append(char c) {
        print(c);
        return this;
    }
}
