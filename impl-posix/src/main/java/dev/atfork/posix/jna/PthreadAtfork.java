package dev.atfork.posix.jna;

/** The standard atfork entry, exported by musl, macOS and the BSDs. */
final class PthreadAtfork {

    private PthreadAtfork() {
    }

    static native int pthread_atfork(ForkCallbacks.ForkCallback prepare, ForkCallbacks.ForkCallback parent,
            ForkCallbacks.ForkCallback child);
}
