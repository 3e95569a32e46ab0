package dev.atfork.posix;

import com.sun.jna.Callback;
import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Native;
import dev.atfork.spi.NativeForkHandlers;

/**
 * The objects libc calls at fork. Each forwards to {@link NativeForkHandlers}, so handlers
 * installed by an earlier copy of this module keep reaching the current one. They are pinned for
 * the life of the process and never let a {@link Throwable} reach native code.
 *
 * <p>A thread the JVM did not create, such as a native library's own, may fork too. JNA attaches
 * such a thread to run a callback and by default detaches it after each call, so the prepare and
 * parent phases of one fork would run on two {@link Thread} objects: the parent phase would find
 * no fork in flight in its thread locals, and could not release the stream locks the prepare
 * phase took. So each callback gets a {@link CallbackThreadInitializer} that leaves the thread
 * attached, as a daemon, until the native thread exits (JNA then detaches it). The initializer
 * only applies to threads JNA must attach; a Java thread that forks runs the callbacks as itself.
 * JNA reads it when a callback is first handed to native code, so it is set here, before any of
 * these objects can be.
 */
final class ForkCallbacks {

    /** The name of a native thread that JNA attached to run a fork handler. */
    static final String NATIVE_THREAD_NAME = "atfork-native-forker";

    static final ForkCallback PREPARE = attachedAcrossForks(new Prepare());
    static final ForkCallback PARENT = attachedAcrossForks(new Parent());
    static final ForkCallback CHILD = attachedAcrossForks(new Child());

    private ForkCallbacks() {
    }

    /** Keeps a native thread attached after it ran {@code callback}: daemon, not detached, named. */
    private static ForkCallback attachedAcrossForks(ForkCallback callback) {
        Native.setCallbackThreadInitializer(callback, new CallbackThreadInitializer(true, false, NATIVE_THREAD_NAME));
        return callback;
    }

    /** A C function {@code void (*)(void)}. */
    interface ForkCallback extends Callback {
        void invoke();
    }

    private static final class Prepare implements ForkCallback {
        @Override
        public void invoke() {
            try {
                NativeForkHandlers.prepare();
            } catch (Throwable ignored) {
                // The dispatcher reports hook failures itself; nothing may reach JNA's logging handler.
            }
        }
    }

    private static final class Parent implements ForkCallback {
        @Override
        public void invoke() {
            try {
                NativeForkHandlers.parent();
            } catch (Throwable ignored) {
                // As in Prepare.
            }
        }
    }

    private static final class Child implements ForkCallback {
        @Override
        public void invoke() {
            try {
                NativeForkHandlers.child();
            } catch (Throwable ignored) {
                // As in Prepare.
            }
        }
    }
}
