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
}
