package dev.atfork.spi;

import dev.atfork.ForkListener;
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
 * <p>The fork-time methods take no lock, and {@link #install} may be blocked by a fork in
 * progress. Each thread's forks are matched with the target their prepare phase called, so the
 * parent and child phases of a fork reach the same one, even where forks overlap.
 */
public final class NativeForkHandlers {

    private static final ForkListener IDLE = new ForkListener() { };
    private static final List<Object> PINNED = new ArrayList<>();
    private static final Set<String> INSTALLED = new HashSet<>();
    private static final Forking NOT_FORKING = new Forking(IDLE, null);
    private static volatile ForkListener target = IDLE;
    /** This thread's forks in flight, innermost first: a hook may fork again. */
    private static final ThreadLocal<Forking> FORKING = new ThreadLocal<>();

    /** The target that one fork's prepare phase called. */
    private static final class Forking {
        final ForkListener listener;
        final Forking outer;

        Forking(ForkListener listener, Forking outer) {
            this.listener = listener;
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
     * Makes {@code listener} the one the native handlers call.
     *
     * @param listener the provider's dispatcher
     */
    public static synchronized void activate(ForkListener listener) {
        target = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Lets the native handlers go idle, if {@code listener} is still the one they call.
     *
     * @param listener the provider's dispatcher
     */
    public static synchronized void deactivate(ForkListener listener) {
        if (target == listener) {
            target = IDLE;
        }
    }

    /** Called by the native prepare handler. */
    public static void prepare() {
        ForkListener current = target;
        FORKING.set(new Forking(current, FORKING.get()));
        current.preFork();
    }

    /** Called by the native parent handler. */
    public static void parent() {
        endFork().afterForkParent();
    }

    /** Called by the native child handler. */
    public static void child() {
        endFork().afterForkChild();
    }

    /** Pops this thread's innermost fork; without one, the idle target, so the warm-up runs the same code. */
    private static ForkListener endFork() {
        Forking forking = FORKING.get();
        if (forking == null) {
            forking = NOT_FORKING;
        }
        FORKING.set(forking.outer);
        return forking.listener;
    }
}
