package dev.atfork.posix;

import dev.atfork.posix.libc.Bindings;
import dev.atfork.spi.ForkTarget;
import dev.atfork.spi.HookList;
import dev.atfork.spi.NativeForkHandlers;

/**
 * Runs the registered hooks at each fork, and hands the protected streams over. The hooks of a
 * fork are those registered when its prepare phase began, kept in its {@link ForkFrame}; a hook
 * that throws is reported and the others still run. The prepare phase's failures are reported
 * once its stream locks are released, and never from the fork path itself.
 *
 * <p>The fork-time methods take no lock and never throw.
 */
final class ForkDispatcher implements ForkTarget {


    final HookList preForkHooks = new HookList();
    final HookList afterForkParentHooks = new HookList();
    final HookList afterForkChildHooks = new HookList();
    private volatile boolean registered;
    /** The set whose forks in flight tell whether a fork is in progress; the last one claimed. */
    private volatile NativeForkHandlers handlers;
    private volatile long prepareTimeoutNanos;
    /** Whether a native child handler is installed in this process: every child then runs Java code. */
    private volatile boolean childHandlerInstalled;
    /**
     * What each prepare phase runs first: {@link ChildPaths#profile}, until a warm-up has run it
     * thousands of times; a loop, not a flag, so that both of its ways are taken in the warm-up.
     */
    private volatile Runnable[] childPathProfiles = {ChildPaths::profile};
    /** The frame of most forks; one that finds it in use makes its own. */
    private final ForkFrame spare = new ForkFrame();

    boolean isRegistered() {
        return registered;
    }

    void setRegistered(boolean registered) {
        this.registered = registered;
    }

    void setHandlers(NativeForkHandlers handlers) {
        this.handlers = handlers;
    }

    /** Notes whether a native child handler is installed, for the forks' JFR events. */
    void setChildHandlerInstalled(boolean installed) {
        childHandlerInstalled = installed;
    }

    long prepareTimeoutNanos() {
        return prepareTimeoutNanos;
    }

    boolean isChildHandlerInstalled() {
        return childHandlerInstalled;
    }

    /** Stops profiling the child's paths at each fork: a {@link ForkPathWarmUp} profiled them. */
    void childPathsProfiled() {
        childPathProfiles = new Runnable[0];
    }

    /**
     * For a warm-up: takes this dispatcher's own frame, as a fork in flight does, so that the forks
     * meanwhile make their own, as forks that overlap do, and a child's.
     *
     * @return whether it was taken; if so, {@link #giveOwnFrameBack} gives it back
     */
    boolean takeOwnFrame() {
        return spare.claim();
    }

    void giveOwnFrameBack() {
        spare.release();
    }

    /** Tells whether the last fork through this dispatcher's own frame took every stream lock it tried; true before any. */
    boolean lastForkTookEveryStream() {
        Settler.Job streams = spare.streams;
        return streams == null || streams.tookEveryLock();
    }

    /** How long the prepare phase may wait for the protected streams, in all. */
    void setPrepareTimeoutNanos(long nanos) {
        prepareTimeoutNanos = nanos;
    }

    /**
     * Tells whether a fork's prepare phase ran on this thread while registered and its parent or
     * child phase has not. In a child this stays true when no child handler is installed: the
     * library ran no Java there.
     */
    boolean isForkInProgress() {
        return currentFrame() instanceof ForkFrame;
    }

    /** Tells whether the caller is inside this process's fork handlers, where some libcs hold their atfork lock. */
    boolean isInsideForkHandlers() {
        Object frame = currentFrame();
        return frame instanceof ForkFrame && ((ForkFrame) frame).pid == Bindings.LIBC.getpid();
    }

    private Object currentFrame() {
        NativeForkHandlers current = handlers;
        return current == null ? null : current.currentFrame();
    }

    /** Runs the pre-fork hooks, then takes the streams; returns null, for no work after the fork, while not registered. */
    @Override
    public Object prepare() {
        if (!registered) {
            return null;
        }
        int pid = Bindings.LIBC.getpid();
        ForkFrame frame = spare.claim() ? spare : new ForkFrame();
        frame.begin(pid, afterForkParentHooks.snapshot(), afterForkChildHooks.snapshot(), ForkRecorder.begin(pid));
        // Before the fork: code the JIT compiled with a child's branch as a trap traps here, in
        // the parent, where a deoptimisation is safe, rather than in the child.
        for (Runnable profile : childPathProfiles) {
            profile.run();
        }
        try {
            Runnable[] hooks = preForkHooks.snapshot();
            int hooksRun = hooks.length + frame.parentHooks.length;
            if (frame.hooksRun != hooksRun) {
                frame.hooksRun = hooksRun;
            }
            for (Runnable hook : hooks) {
                try {
                    hook.run();
                } catch (Throwable failure) {
                    frame.hookFailures++;
                    if (frame.failures == null) {
                        frame.failures = new HookFailureLog.Pending();
                    }
                    frame.failures.add("preFork", hook, failure);
                }
            }
        } finally {
            Settler.Job streams = ForkHandover.prepare(frame.pid, prepareTimeoutNanos, frame.streams);
            if (frame.streams != streams) {
                frame.streams = streams;
            }
            ForkRecorder.prepared(frame.event, frame);
        }
        return frame;
    }

    /** Releases what the prepare phase took, reports its failures, runs the parent hooks, then commits the fork's JFR event. */
    @Override
    public void parent(Object frame) {
        if (!(frame instanceof ForkFrame)) {
            return;
        }
        ForkFrame fork = (ForkFrame) frame;
        try {
            if (fork.streams != null) {
                ForkHandover.releaseInParent(fork.pid, fork.streams);
            }
        } finally {
            if (fork.failures != null) {
                HookFailureLog.report(fork.failures);
            }
            for (Runnable hook : fork.parentHooks) {
                try {
                    hook.run();
                } catch (Throwable failure) {
                    fork.hookFailures++;
                    HookFailureLog.report("afterForkParent", hook, failure);
                }
            }
            ForkRecorder.commit(fork.event, fork, childHandlerInstalled);
            fork.release();
        }
    }

    @Override
    public void child(Object frame) {
        if (frame instanceof ForkFrame) {
            ForkFrame fork = (ForkFrame) frame;
            runInChild(fork.childHooks, ChildReport.STDERR);
            fork.release(); // for this child's own forks
        }
    }

    /** Runs {@code hooks} as in a child: a failure is reported with one write(2) to {@code reportFd}. */
    static void runInChild(Runnable[] hooks, int reportFd) {
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (Throwable failure) {
                ChildReport.hookFailed(failure, reportFd);
            }
        }
    }
}
