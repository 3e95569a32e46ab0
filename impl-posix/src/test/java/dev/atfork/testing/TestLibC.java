package dev.atfork.testing;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/** The libc calls the fork tests need, direct-mapped so a child can make them without loading a class. */
public final class TestLibC {

    static {
        Native.register(TestLibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    public static final int SIGKILL = 9;
    public static final int WNOHANG = 1;

    private TestLibC() {
    }

    public static native int fork();

    public static native void _exit(int status);

    public static native int waitpid(int pid, int[] status, int options);

    public static native int kill(int pid, int signal);

    public static native int pipe(int[] fds);

    public static native long read(int fd, byte[] buffer, long count);

    public static native long write(int fd, byte[] buffer, long count);

    public static native int close(int fd);

    public static native int dup(int fd);

    public static native int dup2(int oldFd, int newFd);

    public static native int getpid();
}
