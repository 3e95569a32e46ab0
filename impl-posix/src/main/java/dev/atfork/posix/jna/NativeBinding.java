package dev.atfork.posix.jna;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/** Registers JNA's direct mappings of libc once per class loader and remembers why it could not. */
final class NativeBinding {

    /** Why binding failed, or {@code null} if it worked. */
    static final Throwable FAILURE;
    private static final boolean GLIBC;

    static {
        Throwable failure = null;
        boolean glibc = false;
        try {
            if (Native.SIZE_T_SIZE != 8) {
                throw new UnsupportedOperationException("only LP64 platforms are supported, size_t has "
                        + Native.SIZE_T_SIZE + " bytes here");
            }
            NativeLibrary libc = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
            Native.register(LibC.class, libc);
            glibc = exports(libc, "__register_atfork");
            Native.register(glibc ? GlibcAtfork.class : PthreadAtfork.class, libc);
        } catch (Throwable e) {
            failure = e;
        }
        FAILURE = failure;
        GLIBC = glibc;
    }

    private NativeBinding() {
    }

    /**
     * Registers handlers with libc; a null callback leaves that phase alone. The callbacks are
     * those of {@link ForkCallbacks}, whose thread initializer is in place before this first
     * hands them to native code (JNA reads it only then).
     */
    static void registerAtfork(ForkCallbacks.ForkCallback prepare, ForkCallbacks.ForkCallback parent,
            ForkCallbacks.ForkCallback child) {
        int error = GLIBC
                ? GlibcAtfork.__register_atfork(prepare, parent, child, null)
                : PthreadAtfork.pthread_atfork(prepare, parent, child);
        if (error != 0) {
            throw new IllegalStateException((GLIBC ? "__register_atfork" : "pthread_atfork") + " failed: error " + error);
        }
    }

    /**
     * Calls {@code callback} once through libc, so its native-to-Java path is resolved before any
     * fork. This is the first time a callback of {@link ForkCallbacks} reaches native code: its
     * thread initializer, set when that class was initialised, is in place by then.
     */
    static void warmUp(ForkCallbacks.ForkCallback callback) {
        Memory onceControl = new Memory(16);
        onceControl.clear();
        if (Platform.isMac()) {
            onceControl.setLong(0, 0x30B1BCBAL); // macOS PTHREAD_ONCE_INIT signature
        }
        int error = LibC.pthread_once(onceControl, callback);
        if (error != 0) {
            throw new IllegalStateException("pthread_once failed: error " + error);
        }
    }

    private static boolean exports(NativeLibrary library, String symbol) {
        try {
            library.getGlobalVariableAddress(symbol);
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }
}
