package dev.atfork.posix;

import dev.atfork.ForkListener;
import dev.atfork.spi.HookList;
import java.lang.System.Logger.Level;

/**
 * Runs the registered hooks at each fork. The hooks of a fork are those registered when its
 * prepare phase began; a hook that throws is reported and the others still run.
 *
 * <p>The fork-time methods take no lock. libc runs one fork's handlers at a time, and the fields
 * below are written by the prepare phase and read by the same thread in the parent or child.
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

    private Thread forkingThread;
    private int forkingPid;
    private Runnable[] forkParentHooks = NO_HOOKS;
    private Runnable[] forkChildHooks = NO_HOOKS;

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
     * Tells whether a fork's prepare phase ran and its parent or child phase has not. In a child
     * this stays true when no child handler is installed: the library ran no Java there.
     */
    boolean isForkInProgress() {
        return forkingThread != null;
    }

    /** Tells whether the caller is inside this process's fork handlers, where libc's atfork lock is held. */
    boolean isInsideForkHandlers() {
        return forkingThread == Thread.currentThread() && LibC.getpid() == forkingPid;
    }

    @Override
    public void preFork() {
        if (!registered) {
            return;
        }
        forkParentHooks = afterForkParentHooks.snapshot();
        forkChildHooks = afterForkChildHooks.snapshot();
        forkingPid = LibC.getpid();
        forkingThread = Thread.currentThread();
        runInParent(preForkHooks.snapshot(), "preFork");
        ForkHandover.prepare(prepareTimeoutNanos);
    }

    @Override
    public void afterForkParent() {
        if (forkingThread != Thread.currentThread()) {
            return;
        }
        Runnable[] hooks = forkParentHooks;
        try {
            ForkHandover.releaseInParent();
            runInParent(hooks, "afterForkParent");
        } finally {
            forkParentHooks = NO_HOOKS;
            forkChildHooks = NO_HOOKS;
            forkingThread = null;
        }
    }

    @Override
    public void afterForkChild() {
        if (forkingThread != Thread.currentThread()) {
            return;
        }
        Runnable[] hooks = forkChildHooks;
        forkingThread = null;
        ForkHandover.recoverInChild();
        runInChild(hooks, ChildReport.STDERR);
    }

    /** Runs the child-side code once in the parent, failure report included, so a child finds it resolved. */
    void warmUpChildPath() {
        runInChild(new Runnable[] {() -> { }, ForkDispatcher::failForWarmUp}, -1);
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
