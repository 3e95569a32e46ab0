package dev.atfork.posix;

import dev.atfork.Registration;
import dev.atfork.spi.HookList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One client of the provider: one {@link PosixAtforkService} instance. Its hooks run only while it
 * is registered, and its registration is its claim on the protection of the standard streams, so
 * no client can switch off another's. Its hooks share the provider's lists with every other
 * client's, so that the newest hook runs first across clients.
 */
final class ForkClient {

    private static final ForkClient IDLE = new ForkClient();
    private static final ForkClient ACTIVE = new ForkClient();
    /**
     * Hooks of an unregistered client and of a registered one. The registered client's hooks are of
     * three classes: the parent may never run a class that a child hook has, and the JIT compiles a
     * call it saw reach one or two classes only for those, with a trap for any other.
     */
    private static final Runnable[] BOTH_WAYS = {new OwnedHook(IDLE, () -> { }),
            new OwnedHook(ACTIVE, () -> { }), new OwnedHook(ACTIVE, () -> { }), new OwnedHook(ACTIVE, () -> { })};

    static {
        ACTIVE.registered = true;
    }

    volatile boolean registered;
    /** The registrations not yet closed; guarded by itself. */
    private final Set<Registration> open = Collections.newSetFromMap(new IdentityHashMap<>());

    /**
     * Runs a hook of a registered and of an unregistered client, at warm-up and in each parent
     * phase, so that the JIT profiles both sides of the check a child hook makes in the child.
     */
    static void profileBothWays() {
        for (Runnable hook : BOTH_WAYS) {
            hook.run();
        }
    }

    /**
     * Adds {@code hook} to {@code hooks}, to run while this client is registered.
     *
     * @return the registration that removes it
     * @throws NullPointerException if {@code hook} is null
     */
    Registration add(HookList hooks, Runnable hook) {
        Registration added = hooks.add(new OwnedHook(this, Objects.requireNonNull(hook, "hook")));
        Registration tracked = new Tracked(added);
        synchronized (open) {
            open.add(tracked);
        }
        return tracked;
    }

    /** Closes every registration this client made: it is being released (in OSGi, its bundle let it go). */
    void closeAll() {
        List<Registration> closing;
        synchronized (open) {
            closing = new ArrayList<>(open);
        }
        closing.forEach(Registration::close);
    }

    /** A hook that runs only while its client is registered; described as the hook itself. */
    private static final class OwnedHook implements Runnable {
        private final ForkClient owner;
        private final Runnable hook;

        OwnedHook(ForkClient owner, Runnable hook) {
            this.owner = owner;
            this.hook = hook;
        }

        @Override
        public void run() {
            if (owner.registered) {
                hook.run();
            }
        }

        @Override
        public String toString() {
            return hook.toString();
        }
    }

    /** A registration this client keeps until it is closed. */
    private final class Tracked implements Registration {
        private final Registration added;

        Tracked(Registration added) {
            this.added = added;
        }

        @Override
        public void close() {
            added.close();
            synchronized (open) {
                open.remove(this);
            }
        }
    }
}
