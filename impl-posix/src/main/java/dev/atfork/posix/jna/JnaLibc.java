package dev.atfork.posix.jna;

import dev.atfork.posix.libc.ForkEntries;
import dev.atfork.posix.libc.Libc;
import dev.atfork.spi.NativeForkHandlers;

/** libc through JNA's direct mapping: the binding on JDK 17 to 21, or where forced. */
public final class JnaLibc extends Libc {

    private JnaLibc() {
    }

    /**
     * Binds libc through JNA.
     *
     * @return the binding
     * @throws Throwable why JNA could not bind libc here
     */
    public static Libc bind() throws Throwable {
        if (NativeBinding.FAILURE != null) {
            throw NativeBinding.FAILURE;
        }
        return new JnaLibc();
    }

    @Override
    public String binding() {
        return "jna";
    }

    @Override
    public int getpid() {
        return LibC.getpid();
    }

    @Override
    public void write(int fd, byte[] bytes, int length) {
        LibC.write(fd, bytes, length);
    }

    @Override
    public ForkEntries forkEntries(NativeForkHandlers handlers) {
        return new ForkCallbacks(handlers);
    }
}
