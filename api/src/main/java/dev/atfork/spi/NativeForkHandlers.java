package dev.atfork.spi;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The process-wide end of a provider's native fork handlers, for providers only.
 *
 * <p>POSIX cannot remove a fork handler, so the callback objects a provider hands to native code
 * are pinned here for the life of the process, and they reach the provider only through this
 * class. A provider that stops, or is replaced by a refreshed copy of its OSGi bundle, swaps the
 * {@linkplain #activate target}; it never installs a second set of handlers.
 *
 * <p>This class is the only record of the forks in flight: each thread keeps a stack of them,
 * since a hook may fork again, each entry the target its prepare phase called and the frame that
 * phase returned. The parent and child phases of a fork reach the same target with the same frame,
 * even where forks overlap. The fork-time methods take no lock, and {@link #install} may be
 * blocked by a fork in progress.
 */
public final class NativeForkHandlers {

    private static final ForkTarget IDLE = new ForkTarget() {
        @Override
        public Object prepare() {
            return null;
        }

        @Override
        public void parent(Object frame) {
        }

        @Override
        public void child(Object frame) {
        }
    };
    private static final List<Object> PINNED = new ArrayList<>();
    private static final Set<String> INSTALLED = new HashSet<>();
    private static final Forking NOT_FORKING = new Forking(IDLE, null, null);
    private static volatile ForkTarget target = IDLE;
    /** This thread's forks in flight, innermost first. */
    private static final ThreadLocal<Forking> FORKING = new ThreadLocal<>();

    /** One fork in flight: the target its prepare phase called and the frame it returned. */
    private static final class Forking {
        final ForkTarget target;
        final Object frame;
        final Forking outer;

        Forking(ForkTarget target, Object frame, Forking outer) {
            this.target = target;
            this.frame = frame;
            this.outer = outer;
        }
    }

    private NativeForkHandlers() {
    }

    /**
     * Runs {@code installer} unless a handler under this name was installed before in this
     * process, and pins {@code callbacks} for the life of the process.
     *
     * @param handler the handler's name, such as {@code "prepare+parent"}
     * @param callbacks the objects native code calls; never released
     * @param installer registers the handler with libc; may throw, in which case nothing is pinned
     * @return {@code true} if the installer ran now
     */
    public static synchronized boolean install(String handler, Object callbacks, Runnable installer) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(callbacks, "callbacks");
        if (INSTALLED.contains(handler)) {
            return false;
        }
        installer.run();
        PINNED.add(callbacks);
        INSTALLED.add(handler);
        return true;
    }

    /**
     * Tells whether a handler was installed in this process.
     *
     * @param handler the handler's name
     * @return {@code true} once {@link #install} ran for it
     */
    public static synchronized boolean isInstalled(String handler) {
        return INSTALLED.contains(handler);
    }

    /**
     * Makes {@code forkTarget} the one the native handlers call.
     *
     * @param forkTarget the provider's dispatcher
     */
    public static synchronized void activate(ForkTarget forkTarget) {
        target = Objects.requireNonNull(forkTarget, "forkTarget");
    }

    /**
     * Lets the native handlers go idle, if {@code forkTarget} is still the one they call.
     *
     * @param forkTarget the provider's dispatcher
     */
    public static synchronized void deactivate(ForkTarget forkTarget) {
        if (target == forkTarget) {
            target = IDLE;
        }
    }

    /**
     * Returns the frame of this thread's innermost fork in flight. In a child whose child phase
     * ran no Java, that is still the frame of the fork that made it.
     *
     * @return the frame, or null if no fork is in flight on this thread
     */
    public static Object currentFrame() {
        Forking forking = FORKING.get();
        return forking == null ? null : forking.frame;
    }

    /** Called by the native prepare handler. */
    public static void prepare() {
        ForkTarget current = target;
        Forking outer = FORKING.get();
        Object frame = null;
        try {
            frame = current.prepare();
        } finally {
            FORKING.set(new Forking(current, frame, outer)); // pushed whatever happened, so the phases pair up
        }
    }

    /** Called by the native parent handler; the fork stays in flight until its target returns. */
    public static void parent() {
        Forking forking = innermost();
        try {
            forking.target.parent(forking.frame);
        } finally {
            FORKING.set(forking.outer);
        }
    }

    /** Called by the native child handler. */
    public static void child() {
        Forking forking = innermost();
        FORKING.set(forking.outer);
        forking.target.child(forking.frame);
    }

    /** This thread's innermost fork; without one, the idle target's, so the warm-up runs the same code. */
    private static Forking innermost() {
        Forking forking = FORKING.get();
        return forking == null ? NOT_FORKING : forking;
    }
}
