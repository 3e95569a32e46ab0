package dev.atfork.posix.jna;

import com.sun.jna.Pointer;

/**
 * The libc calls the provider makes besides installing handlers. Direct-mapped: each call is a
 * registered JNI native, which a forked child can make without loading a class.
 */
final class LibC {

    private LibC() {
    }

    /** Runs {@code init} once per {@code onceControl}; used to warm a callback up through libc. */
    static native int pthread_once(Pointer onceControl, ForkCallbacks.ForkCallback init);

    /** {@code pid_t getpid(void)}. */
    static native int getpid();

    /** {@code ssize_t write(int, const void *, size_t)}; the binding requires an LP64 platform. */
    static native long write(int fd, byte[] buffer, long count);
}
