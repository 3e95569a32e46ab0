package dev.atfork.posix;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.locks.ReentrantLock;

/** A fork-safe view of a character stream; see {@link dev.atfork.AtforkService#watch(Writer)}. */
final class ForkSafeWriter extends Writer {

    private final StreamGuard<Writer> guard;

    ForkSafeWriter(StreamGuard<Writer> guard) {
        this.guard = guard;
    }

    @Override
    public void write(int c) throws IOException {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().write(c);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().write(chars, offset, length);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(String text, int offset, int length) throws IOException {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().write(text, offset, length);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(String text) throws IOException {
        write(text, 0, text.length());
    }

    /** The guard of this view. */
    StreamGuard<Writer> guard() {
        return guard;
    }

    @Override
    public void flush() throws IOException {
        guard.flush();
    }

    /** Ends the watch and closes the writer. */
    @Override
    public void close() throws IOException {
        guard.close();
    }
}
