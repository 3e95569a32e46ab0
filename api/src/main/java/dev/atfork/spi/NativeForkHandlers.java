package dev.atfork.spi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One set of a provider's native fork handlers and the switch that routes them to the provider's
 * {@link ForkTarget}: a capability, held by the provider that {@linkplain #claim() claimed} it.
 *
 * <p><b>Trust.</b> Whoever holds a set decides what its handlers do at every fork, so nothing public
 * leads to one but {@link #claim()}, and only classes of the POSIX provider's package
 * ({@code dev.atfork.posix}) may call that. The fork-time entry points {@link #prepare()},
 * {@link #parent()} and {@link #child()} are methods of the set, so only the callbacks its holder
 * made reach them. A claim gets a set of its own, or one that a provider released: never one in
 * use, so no claimer can switch another provider's handlers off, nor keep it from claiming. The
 * caller check is a guard, not a wall: code that defines classes in the provider's package passes
 * it, as it passes Java's package access. On the module path this package is exported only to the
 * providers, and in OSGi only to importers that name the mandatory attribute
 * {@code atfork-internal=true}. Reflection that breaks encapsulation is out of scope.
 *
 * <p>POSIX cannot remove a fork handler, so a set that installed one stays pinned, with its
 * callbacks, for the life of the process. A provider that stops {@linkplain #release releases}
 * its set, idle; a refreshed copy of its OSGi bundle claims the set back and reuses the handlers
 * already installed, rather than adding a second set. The fork-time methods take no lock, and
 * {@link #install} may be blocked by a fork in progress.
 */
public final class NativeForkHandlers {

    private static final String PROVIDER_PACKAGE = "dev.atfork.posix";
    private static final StackWalker STACK = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
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
    /** Every set that installed a handler; guarded by the class. */
    private static final List<NativeForkHandlers> PINNED = new ArrayList<>();
    /** Released sets, for the next claims; guarded by the class. */
    private static final Deque<NativeForkHandlers> RELEASED = new ArrayDeque<>();

    /** Guarded by the class, as are {@link #installed} and {@link #held}. */
    private final List<Object> callbacks = new ArrayList<>();
    private final Set<String> installed = new HashSet<>();
    private boolean held = true;
    private final ForksInFlight forks = new ForksInFlight(IDLE);
    private volatile ForkTarget target = IDLE;

    private NativeForkHandlers() {
    }

    /**
     * Hands the calling provider a set of its own: the one released longest ago, or a new one.
     *
     * @return the set, idle, held by the caller until it {@linkplain #release releases} it
     * @throws IllegalCallerException if the caller is not a class of the POSIX provider's package
     */
    public static NativeForkHandlers claim() {
        Class<?> caller = STACK.getCallerClass();
        if (!caller.getPackageName().equals(PROVIDER_PACKAGE)) {
            throw new IllegalCallerException(caller.getName() + " may not claim native fork handlers: "
                    + "only the atfork provider may, and only through its public API may others use it");
        }
        synchronized (NativeForkHandlers.class) {
            NativeForkHandlers released = RELEASED.poll();
            if (released == null) {
                return new NativeForkHandlers();
            }
            released.held = true;
            return released;
        }
    }

    /**
     * Tells whether any set installed a handler of this name in this process. Changes nothing.
     *
     * @param handler the handler's name, such as {@code "child"}
     * @return {@code true} once {@link #install} ran for it on some set
     */
    public static boolean isInstalled(String handler) {
        synchronized (NativeForkHandlers.class) {
            return PINNED.stream().anyMatch(set -> set.installed.contains(handler));
        }
    }

    /**
     * Runs {@code installer} unless this set installed a handler of this name before, and pins
     * {@code handlerCallbacks} for the life of the process.
     *
     * @param handler the handler's name, such as {@code "prepare+parent"}
     * @param handlerCallbacks the objects native code calls; they call this set's fork-time methods
     * @param installer registers the handler with libc; may throw, in which case nothing is pinned
     * @return {@code true} if the installer ran now
     * @throws IllegalStateException if this set was released
     */
    public boolean install(String handler, Object handlerCallbacks, Runnable installer) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(handlerCallbacks, "handlerCallbacks");
        synchronized (NativeForkHandlers.class) {
            requireHeld();
            if (installed.contains(handler)) {
                return false;
            }
            installer.run();
            callbacks.add(handlerCallbacks);
            if (installed.isEmpty()) {
                PINNED.add(this);
            }
            installed.add(handler);
            return true;
        }
    }

    /**
     * Makes {@code forkTarget} the one this set's handlers call.
     *
     * @param forkTarget the provider's dispatcher
     * @throws IllegalStateException if this set was released
     */
    public void activate(ForkTarget forkTarget) {
        Objects.requireNonNull(forkTarget, "forkTarget");
        synchronized (NativeForkHandlers.class) {
            requireHeld();
            target = forkTarget;
        }
    }

    /**
     * Lets this set's handlers go idle and gives the set up, for the next claim. The caller must
     * drop its reference: the set may be handed to another copy of the provider. Idempotent.
     */
    public void release() {
        synchronized (NativeForkHandlers.class) {
            if (held) {
                target = IDLE;
                held = false;
                RELEASED.add(this);
            }
        }
    }

    /**
     * Returns the frame of this thread's innermost fork in flight through this set. In a child
     * whose child phase ran no Java, that is still the frame of the fork that made it.
     *
     * @return the frame, or null if no fork is in flight on this thread
     */
    public Object currentFrame() {
        return forks.currentFrame();
    }

    /** Called by this set's native prepare handler. */
    public void prepare() {
        forks.prepare(target);
    }

    /** Called by this set's native parent handler; the fork stays in flight until its target returns. */
    public void parent() {
        forks.parent();
    }

    /** Called by this set's native child handler. */
    public void child() {
        forks.child();
    }

    private void requireHeld() {
        if (!held) {
            throw new IllegalStateException("these native fork handlers were released");
        }
    }
}
