package dev.atfork.posix;

import dev.atfork.Registration;
import dev.atfork.posix.libc.Bindings;
import dev.atfork.posix.libc.ForkEntries;
import dev.atfork.spi.NativeForkHandlers;
import java.lang.System.Logger.Level;

/**
 * The process-wide state behind every {@link PosixAtforkService} instance of this module: the
 * native handlers, installed at the first registration, and the count of registered clients.
 * The hooks run and the standard streams are protected while at least one client is registered.
 */
final class PosixRuntime {

    static final ForkDispatcher DISPATCHER = new ForkDispatcher();
    private static final String PREPARE_AND_PARENT = "prepare+parent";
    private static final String CHILD = "child";
    static final String PREPARE_TIMEOUT_PROPERTY = "dev.atfork.prepareTimeoutMillis";
    private static final long DEFAULT_PREPARE_TIMEOUT_MILLIS = 100;
    /** Whether the fork path was warmed up in this process; guarded by LOCK. */
    private static boolean warmedUp;
    /** Guards installation; the fork-time path never takes it. */
    private static final Object LOCK = new Object();
    /** Read once per process, at the first register(), so that no caller changes it for the others; guarded by LOCK. */
    private static long prepareTimeoutNanos = -1;
    /** How many clients are registered; guarded by LOCK. */
    private static int registeredClients;
    /** The native handlers this copy of the module holds, from register() to shutdown(); guarded by LOCK. */
    private static NativeForkHandlers handlers;
    /** The functions libc calls for {@link #handlers}; guarded by LOCK. */
    private static ForkEntries entries;

    private PosixRuntime() {
    }

    /** Registers {@code client}; the first registered client turns the machinery on. */
    static void register(ForkClient client) {
        synchronized (LOCK) {
            if (client.registered) {
                return;
            }
            if (!DISPATCHER.isRegistered()) {
                turnOn();
            } else if (!DISPATCHER.afterForkChildHooks.isEmpty()) {
                installChildHandlerOrFail();
            }
            client.registered = true;
            registeredClients++;
        }
    }

    /** Deregisters {@code client}; the last registered client turns the machinery off. */
    static void deregister(ForkClient client) {
        synchronized (LOCK) {
            if (!client.registered) {
                return;
            }
            client.registered = false;
            if (--registeredClients == 0) {
                turnOff();
            }
        }
    }

    /** Caller holds {@link #LOCK}. */
    private static void turnOn() {
        String owner = ProcessOwner.other();
        if (owner != null) { // checked before the binding, which such a copy never makes
            throw new IllegalStateException(ProcessOwner.reason(owner));
        }
        requireBinding();
        if (prepareTimeoutNanos < 0) {
            prepareTimeoutNanos = readPrepareTimeoutNanos();
            DISPATCHER.setPrepareTimeoutNanos(prepareTimeoutNanos);
        }
        ProcessOwner.claim();
        try {
            ChildPaths.warmUpStreams();
            claimHandlers();
            ForkEntries made = entries;
            handlers.install(PREPARE_AND_PARENT, made, made::registerPrepareAndParent);
            if (!DISPATCHER.afterForkChildHooks.isEmpty()) {
                installChildHandler();
            }
        } catch (RuntimeException | LinkageError e) {
            if (handlers == null) { // nothing of this copy's is installed: another copy may take over
                ProcessOwner.release();
            }
            throw new IllegalStateException("cannot install the fork handlers: " + e, e);
        }
        StandardStreams.install();
        if (!warmedUp) {
            ForkPathWarmUp.run(DISPATCHER, handlers, entries);
            warmedUp = true;
        }
        handlers.activate(DISPATCHER);
        DISPATCHER.setRegistered(true);
    }

    /** Caller holds {@link #LOCK}. */
    private static void turnOff() {
        DISPATCHER.setRegistered(false);
        if (Bindings.FAILURE == null) {
            StandardStreams.restore();
        }
    }

    /**
     * Goes idle and gives the native handlers and the process's {@linkplain ProcessOwner marker} up,
     * for the next copy of this module: this one is being stopped.
     */
    static void shutdown() {
        synchronized (LOCK) {
            registeredClients = 0;
            turnOff();
            if (handlers != null) {
                handlers.release();
                handlers = null;
                entries = null;
            }
            ProcessOwner.release();
        }
    }

    /** Claims a set of native handlers, and makes its functions, unless this copy holds one; caller holds {@link #LOCK}. */
    private static void claimHandlers() {
        if (handlers == null) {
            NativeForkHandlers claimed = NativeForkHandlers.claim();
            entries = Bindings.LIBC.forkEntries(claimed);
            handlers = claimed;
            DISPATCHER.setHandlers(claimed);
            DISPATCHER.setChildHandlerInstalled(NativeForkHandlers.isInstalled(CHILD)); // by an earlier copy
        }
    }

    /**
     * Installs the native child handler for a child hook just added, if it is to run: if
     * {@code active} (its client is registered, or it is a whiteboard listener's) and the machinery is on.
     *
     * @return {@code registration}, closed if the handler cannot be installed
     */
    static Registration childHookAdded(Registration registration, boolean active) {
        if (!active || !DISPATCHER.isRegistered()) {
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

    /** Caller holds {@link #LOCK}. */
    private static void installChildHandlerOrFail() {
        try {
            installChildHandler();
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("cannot install the child fork handler: " + e, e);
        }
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

    /** Caller holds {@link #LOCK}; without handlers (shut down meanwhile), the next register() installs it. */
    private static void installChildHandler() {
        if (handlers == null) {
            return;
        }
        ChildPaths.warmUpChildHooks(DISPATCHER);
        ForkEntries made = entries;
        handlers.install(CHILD, made, made::registerChild);
        DISPATCHER.setChildHandlerInstalled(true);
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
        if (Bindings.FAILURE != null) {
            throw new IllegalStateException(PosixAtforkService.unsupportedReason(), Bindings.FAILURE);
        }
    }
}
