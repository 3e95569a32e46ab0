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
 * <p>The fork-time methods take no lock: libc runs one fork's handlers at a time, and
 * {@link #install} may be blocked by a fork in progress.
 */
public final class NativeForkHandlers {

    private static final ForkListener IDLE = new ForkListener() { };
    private static final List<Object> PINNED = new ArrayList<>();
    private static final Set<String> INSTALLED = new HashSet<>();
    private static volatile ForkListener target = IDLE;
    /** The target seen by the current fork's prepare phase, so its parent and child phases match. */
    private static ForkListener forking = IDLE;

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
        forking = current;
        current.preFork();
    }

    /** Called by the native parent handler. */
    public static void parent() {
        forking.afterForkParent();
    }

    /** Called by the native child handler. */
    public static void child() {
        forking.afterForkChild();
    }
}
