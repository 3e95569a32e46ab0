package dev.atfork.demo;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The libc calls the demos make. Direct-mapped: each is a JNI native registered up front, so a
 * forked child can call it without loading a class.
 */
final class DemoLibC {

    static {
        Native.register(DemoLibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private DemoLibC() {
    }

    /** Forks this process; atfork's handlers run inside this call. */
    static native int fork();

    /** Ends the calling process at once: no shutdown hooks, no JVM teardown. The only safe end of a JVM child. */
    static native void _exit(int status);

    static native int waitpid(int pid, int[] status, int options);

    static native int getpid();

    /** Sends a signal; the demos use it only to kill a hung child. */
    static native int kill(int pid, int signal);

    /** Creates a pipe: {@code fds[0]} is the read end, {@code fds[1]} the write end. */
    static native int pipe(int[] fds);

    static native long read(int fd, byte[] buffer, long count);

    /** Writes in one system call, with no Java lock and no allocation: safe in a child. */
    static native long write(int fd, byte[] buffer, long count);

    static native int close(int fd);

    static final int WNOHANG = 1;
    static final int SIGKILL = 9;
}
