package dev.atfork.posix.jna;

import com.sun.jna.Callback;
import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Native;
import dev.atfork.posix.libc.ForkEntries;
import dev.atfork.spi.NativeForkHandlers;

/**
 * The objects libc calls at fork, one per phase. Each forwards to the {@link NativeForkHandlers}
 * set it was made for, so handlers installed by an earlier copy of this module keep reaching the
 * copy that holds that set now. The set pins them for the life of the process; they never let a
 * {@link Throwable} reach native code.
 *
 * <p>A thread the JVM did not create, such as a native library's own, may fork too. JNA attaches
 * such a thread to run a callback and by default detaches it after each call, so the prepare and
 * parent phases of one fork would run on two {@link Thread} objects: the parent phase would find
 * no fork in flight in its thread locals, and could not release the stream locks the prepare
 * phase took. So each callback gets a {@link CallbackThreadInitializer} that leaves the thread
 * attached, as a daemon, until the native thread exits (JNA then detaches it). The initializer
 * only applies to threads JNA must attach; a Java thread that forks runs the callbacks as itself.
 * JNA reads it when a callback is first handed to native code, so the constructor sets it, before
 * any of these objects can be.
 */
public final class ForkCallbacks implements ForkEntries {

    /** The name of a native thread that JNA attached to run a fork handler. */
    public static final String NATIVE_THREAD_NAME = "atfork-native-forker";

    private final ForkCallback prepare;
    private final ForkCallback parent;
    private final ForkCallback child;

    /** Makes the callbacks of {@code handlers}, the set this copy of the module holds. */
    ForkCallbacks(NativeForkHandlers handlers) {
        prepare = attachedAcrossForks(new Prepare(handlers));
        parent = attachedAcrossForks(new Parent(handlers));
        child = attachedAcrossForks(new Child(handlers));
    }

    @Override
    public void registerPrepareAndParent() {
        NativeBinding.warmUp(prepare);
        NativeBinding.warmUp(parent);
        NativeBinding.registerAtfork(prepare, parent, null);
    }

    @Override
    public void registerChild() {
        NativeBinding.warmUp(child);
        NativeBinding.registerAtfork(null, null, child);
    }

    @Override
    public void runWithoutForking(int forks) {
        for (int i = 0; i < forks; i++) {
            prepare.invoke();
            parent.invoke();
        }
    }

    /** Keeps a native thread attached after it ran {@code callback}: daemon, not detached, named. */
    private static ForkCallback attachedAcrossForks(ForkCallback callback) {
        Native.setCallbackThreadInitializer(callback, new CallbackThreadInitializer(true, false, NATIVE_THREAD_NAME));
        return callback;
    }

    /** A C function {@code void (*)(void)}. */
    interface ForkCallback extends Callback {
        /** Called by libc at fork. */
        void invoke();
    }

    private static final class Prepare implements ForkCallback {
        private final NativeForkHandlers handlers;

        Prepare(NativeForkHandlers handlers) {
            this.handlers = handlers;
        }

        @Override
        public void invoke() {
            try {
                handlers.prepare();
            } catch (Throwable ignored) {
                // The dispatcher reports hook failures itself; nothing may reach JNA's logging handler.
            }
        }
    }

    private static final class Parent implements ForkCallback {
        private final NativeForkHandlers handlers;

        Parent(NativeForkHandlers handlers) {
            this.handlers = handlers;
        }

        @Override
        public void invoke() {
            try {
                handlers.parent();
            } catch (Throwable ignored) {
                // As in Prepare.
            }
        }
    }

    private static final class Child implements ForkCallback {
        private final NativeForkHandlers handlers;

        Child(NativeForkHandlers handlers) {
            this.handlers = handlers;
        }

        @Override
        public void invoke() {
            try {
                handlers.child();
            } catch (Throwable ignored) {
                // As in Prepare.
            }
        }
    }
}
