package dev.atfork.posix;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The buffer of a watched {@link java.io.BufferedOutputStream}, kept by the view: used only under
 * the view's lock, so a small write takes that one lock rather than the stream's lock as well.
 * It reaches the stream in writes of at least the buffer's size, which the stream passes straight on.
 */
final class UnsynchronizedBuffer extends OutputStream {

    static final int SIZE = 8192;
    private final OutputStream out;
    private final byte[] buffer = new byte[SIZE];
    private int count;

    UnsynchronizedBuffer(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        if (count == SIZE) {
            drain();
        }
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (length > SIZE - count) {
            drain();
            if (length >= SIZE) {
                out.write(bytes, offset, length);
                return;
            }
        }
        System.arraycopy(bytes, offset, buffer, count, length);
        count += length;
    }

    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try (OutputStream closing = out) {
            drain();
        }
    }

    private void drain() throws IOException {
        if (count > 0) {
            int length = count;
            count = 0;
            out.write(buffer, 0, length);
        }
    }
}
