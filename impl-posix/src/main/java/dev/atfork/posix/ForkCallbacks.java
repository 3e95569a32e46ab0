package dev.atfork.posix;

import com.sun.jna.Callback;
import dev.atfork.spi.NativeForkHandlers;

/**
 * The objects libc calls at fork. Each forwards to {@link NativeForkHandlers}, so handlers
 * installed by an earlier copy of this module keep reaching the current one. They are pinned for
 * the life of the process and never let a {@link Throwable} reach native code.
 */
final class ForkCallbacks {

    static final ForkCallback PREPARE = new Prepare();
    static final ForkCallback PARENT = new Parent();
    static final ForkCallback CHILD = new Child();

    private ForkCallbacks() {
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
