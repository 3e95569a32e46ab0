package dev.atfork.posix;

import dev.atfork.ForkListener;
import dev.atfork.spi.HookList;
import java.lang.System.Logger.Level;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs the registered hooks at each fork. The hooks of a fork are those registered when its
 * prepare phase began; a hook that throws is reported and the others still run.
 *
 * <p>The fork-time methods take no lock. libc may run the handlers of forks on several threads at
 * once, and a hook may fork again, so each thread keeps a stack of its forks in flight.
 */
final class ForkDispatcher implements ForkListener {

    private static final System.Logger LOG = System.getLogger("dev.atfork");
    private static final Runnable[] NO_HOOKS = {};
    private static final RuntimeException WARM_UP_FAILURE = new IllegalStateException("warm-up");

    final HookList preForkHooks = new HookList();
    final HookList afterForkParentHooks = new HookList();
    final HookList afterForkChildHooks = new HookList();
    private volatile boolean registered;
    private volatile long prepareTimeoutNanos;
    private final ThreadLocal<Fork> forksInFlight = new ThreadLocal<>();

    /**
     * One fork whose prepare phase ran on this thread: what its parent and child phases need.
     * Every prepare phase pushes one, registered or not, so that each parent and child phase
     * pops its own fork's.
     */
    private static final class Fork {
        final int pid;
        final boolean active;
        final Runnable[] parentHooks;
        final Runnable[] childHooks;
        final Fork outer;
        ReentrantLock[] streamLocks = ForkHandover.NO_LOCKS;

        Fork(int pid, boolean active, Runnable[] parentHooks, Runnable[] childHooks, Fork outer) {
            this.pid = pid;
            this.active = active;
            this.parentHooks = parentHooks;
            this.childHooks = childHooks;
            this.outer = outer;
        }
    }

    boolean isRegistered() {
        return registered;
    }

    void setRegistered(boolean registered) {
        this.registered = registered;
    }

    /** How long the prepare phase may wait for the locks of the protected streams, in all. */
    void setPrepareTimeoutNanos(long nanos) {
        prepareTimeoutNanos = nanos;
    }

    /**
     * Tells whether a fork's prepare phase ran on this thread and its parent or child phase has
     * not. In a child this stays true when no child handler is installed: the library ran no Java there.
     */
    boolean isForkInProgress() {
        return forksInFlight.get() != null;
    }

    /** Tells whether the caller is inside this process's fork handlers, where some libcs hold their atfork lock. */
    boolean isInsideForkHandlers() {
        Fork fork = forksInFlight.get();
        return fork != null && fork.pid == LibC.getpid();
    }

    @Override
    public void preFork() {
        int pid = LibC.getpid();
        Fork outer = forksInFlight.get();
        if (outer != null && outer.pid != pid) {
            outer = null; // a fork that made this process, whose child phase ran no Java
        }
        if (!registered) {
            forksInFlight.set(new Fork(pid, false, NO_HOOKS, NO_HOOKS, outer));
            return;
        }
        Fork fork = new Fork(pid, true, afterForkParentHooks.snapshot(), afterForkChildHooks.snapshot(), outer);
        forksInFlight.set(fork);
        runInParent(preForkHooks.snapshot(), "preFork");
        fork.streamLocks = ForkHandover.prepare(pid, prepareTimeoutNanos);
    }

    /**
     * Releases what the prepare phase took, runs the parent hooks, and only then ends the fork:
     * until then {@link #isInsideForkHandlers()} holds, since some libcs hold their atfork lock.
     */
    @Override
    public void afterForkParent() {
        Fork fork = forksInFlight.get();
        if (fork == null || fork.pid != LibC.getpid()) {
            return;
        }
        try {
            if (fork.active) {
                ForkHandover.releaseInParent(fork.pid, fork.streamLocks);
                runInParent(fork.parentHooks, "afterForkParent");
            }
        } finally {
            forksInFlight.set(fork.outer);
        }
    }

    @Override
    public void afterForkChild() {
        Fork fork = forksInFlight.get();
        if (fork == null) {
            return;
        }
        forksInFlight.set(fork.outer);
        if (fork.active) {
            runInChild(fork.childHooks, ChildReport.STDERR);
        }
    }

    /** Runs the child-side code once in the parent, failure report included, so a child finds it resolved. */
    void warmUpChildPath() {
        forksInFlight.set(new Fork(0, true, NO_HOOKS, new Runnable[] {() -> { }}, forksInFlight.get()));
        afterForkChild();
        runInChild(new Runnable[] {ForkDispatcher::failForWarmUp}, -1);
    }

    private static void failForWarmUp() {
        throw WARM_UP_FAILURE;
    }

    private static void runInParent(Runnable[] hooks, String kind) {
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (Throwable failure) {
                LOG.log(Level.ERROR, "atfork " + kind + " hook " + hook + " failed", failure);
            }
        }
    }

    private static void runInChild(Runnable[] hooks, int reportFd) {
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (Throwable failure) {
                ChildReport.hookFailed(failure, reportFd);
            }
        }
    }
}
