package dev.atfork.posix.jna;

import com.sun.jna.Pointer;

/** glibc's exported atfork entry; its {@code pthread_atfork} is a static stub that dlsym cannot find. */
final class GlibcAtfork {

    private GlibcAtfork() {
    }

    /** A null {@code dsoHandle} ties the handlers to no shared object, so they are never removed. */
    static native int __register_atfork(ForkCallbacks.ForkCallback prepare, ForkCallbacks.ForkCallback parent,
            ForkCallbacks.ForkCallback child, Pointer dsoHandle);
}
