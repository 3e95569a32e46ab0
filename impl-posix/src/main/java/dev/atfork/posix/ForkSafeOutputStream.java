package dev.atfork.posix;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.ReentrantLock;

/** A fork-safe view of a binary stream; see {@link dev.atfork.AtforkService#watch(OutputStream)}. */
final class ForkSafeOutputStream extends OutputStream {

    private final StreamGuard<OutputStream> guard;

    ForkSafeOutputStream(StreamGuard<OutputStream> guard) {
        this.guard = guard;
    }

    @Override
    public void write(int b) throws IOException {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().write(b);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        ReentrantLock lock = guard.lock();
        try {
            guard.target().write(bytes, offset, length);
        } finally {
            lock.unlock();
        }
    }

    /** The guard of this view. */
    StreamGuard<OutputStream> guard() {
        return guard;
    }

    @Override
    public void flush() throws IOException {
        guard.flush();
    }

    /** Ends the watch and closes the stream. */
    @Override
    public void close() throws IOException {
        guard.close();
    }
}
