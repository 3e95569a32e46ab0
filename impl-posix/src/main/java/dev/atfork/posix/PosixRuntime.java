package dev.atfork.posix;

import dev.atfork.Registration;
import dev.atfork.spi.NativeForkHandlers;
import java.lang.System.Logger.Level;

/** The process-wide state behind every {@link PosixAtforkService} instance of this module. */
final class PosixRuntime {

    static final ForkDispatcher DISPATCHER = new ForkDispatcher();
    private static final String PREPARE_AND_PARENT = "prepare+parent";
    private static final String CHILD = "child";
    static final String PREPARE_TIMEOUT_PROPERTY = "dev.atfork.prepareTimeoutMillis";
    private static final long DEFAULT_PREPARE_TIMEOUT_MILLIS = 100;
    /** Guards installation; the fork-time path never takes it. */
    private static final Object LOCK = new Object();
    /** Read once per process, at the first register(), so that no caller changes it for the others; guarded by LOCK. */
    private static long prepareTimeoutNanos = -1;

    private PosixRuntime() {
    }

    static void register() {
        synchronized (LOCK) {
            if (DISPATCHER.isRegistered()) {
                return;
            }
            requireBinding();
            if (prepareTimeoutNanos < 0) {
                prepareTimeoutNanos = readPrepareTimeoutNanos();
                DISPATCHER.setPrepareTimeoutNanos(prepareTimeoutNanos);
            }
            try {
                Watches.warmUp();
                NativeForkHandlers.install(PREPARE_AND_PARENT,
                        new Object[] {ForkCallbacks.PREPARE, ForkCallbacks.PARENT}, () -> {
                            NativeBinding.warmUp(ForkCallbacks.PREPARE);
                            NativeBinding.warmUp(ForkCallbacks.PARENT);
                            NativeBinding.registerAtfork(ForkCallbacks.PREPARE, ForkCallbacks.PARENT, null);
                        });
                if (!DISPATCHER.afterForkChildHooks.isEmpty()) {
                    installChildHandler();
                }
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalStateException("cannot install the fork handlers: " + e, e);
            }
            NativeForkHandlers.activate(DISPATCHER);
            StandardStreams.install();
            DISPATCHER.setRegistered(true);
        }
    }

    static void deregister() {
        synchronized (LOCK) {
            DISPATCHER.setRegistered(false);
            if (NativeBinding.FAILURE == null) {
                StandardStreams.restore();
            }
        }
    }

    /** Goes idle for good: this copy of the module is being stopped. */
    static void shutdown() {
        deregister();
        NativeForkHandlers.deactivate(DISPATCHER);
    }

    static Registration addChildHook(Runnable hook) {
        Registration registration = DISPATCHER.afterForkChildHooks.add(hook);
        if (!DISPATCHER.isRegistered()) {
            return registration;
        }
        if (DISPATCHER.isInsideForkHandlers()) {
            // libc holds its atfork lock for this thread until the fork ends: install from another thread.
            Thread installer = new Thread(PosixRuntime::installChildHandlerLater, "atfork-child-handler");
            installer.setDaemon(true);
            installer.start();
            return registration;
        }
        try {
            synchronized (LOCK) {
                installChildHandler();
            }
        } catch (RuntimeException | LinkageError e) {
            registration.close();
            throw new IllegalStateException("cannot install the child fork handler: " + e, e);
        }
        return registration;
    }

    private static void installChildHandlerLater() {
        try {
            synchronized (LOCK) {
                installChildHandler();
            }
        } catch (RuntimeException | LinkageError e) {
            System.getLogger("dev.atfork").log(Level.ERROR, "cannot install the child fork handler", e);
        }
    }

    /** Caller holds {@link #LOCK}. */
    private static void installChildHandler() {
        DISPATCHER.warmUpChildPath();
        NativeForkHandlers.install(CHILD, ForkCallbacks.CHILD, () -> {
            NativeBinding.warmUp(ForkCallbacks.CHILD);
            NativeBinding.registerAtfork(null, null, ForkCallbacks.CHILD);
        });
    }

    private static long readPrepareTimeoutNanos() {
        String value = System.getProperty(PREPARE_TIMEOUT_PROPERTY);
        if (value == null) {
            return DEFAULT_PREPARE_TIMEOUT_MILLIS * 1_000_000;
        }
        try {
            long millis = Long.parseLong(value.strip());
            if (millis >= 0 && millis <= Long.MAX_VALUE / 1_000_000) {
                return millis * 1_000_000;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("system property " + PREPARE_TIMEOUT_PROPERTY
                + " must be a whole number of milliseconds >= 0, not '" + value + "'");
    }

    private static void requireBinding() {
        if (NativeBinding.FAILURE != null) {
            throw new IllegalStateException(PosixAtforkService.unsupportedReason(), NativeBinding.FAILURE);
        }
    }
}
