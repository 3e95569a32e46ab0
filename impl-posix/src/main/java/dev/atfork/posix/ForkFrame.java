package dev.atfork.posix;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One fork in flight, made by its prepare phase: who forked, which hooks its other phases run,
 * which stream locks it took, the hook failures to report once it is over, and what a JFR
 * event of it records (in the parent only).
 *
 * <p>A dispatcher keeps one frame, and its job, for whichever fork {@linkplain #claim claims} it,
 * so that a fork allocates nothing; a fork that finds it in use makes its own. A field is written
 * only when its value changes: after a fork, each page written is copied.
 */
final class ForkFrame {

    private static final VarHandle IN_USE;

    static {
        try {
            IN_USE = MethodHandles.lookup().findVarHandle(ForkFrame.class, "inUse", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    int pid;
    Runnable[] parentHooks;
    Runnable[] childHooks;
    /** The stream locks taken; set at the end of the prepare phase, and kept for the frame's next fork. */
    Settler.Job streams;
    /** The prepare phase's hook failures, reported after the fork; null while there is none. */
    HookFailureLog.Pending failures;
    /** How many preFork and afterForkParent hooks this fork calls. */
    int hooksRun;
    /** How many of them threw, so far. */
    int hookFailures;
    /** This fork's JFR event, begun by the prepare phase while a recording enables it; else null. */
    Object event;
    /** 1 while a fork uses this frame; through {@link #IN_USE}. */
    private volatile int inUse;

    /** A frame to {@linkplain #claim claim}. */
    ForkFrame() {
    }

    /** A frame for one fork, already begun. */
    ForkFrame(int pid, Runnable[] parentHooks, Runnable[] childHooks) {
        begin(pid, parentHooks, childHooks, null);
    }

    /** Takes this frame for a fork, unless another fork uses it; {@link #release} gives it back. */
    boolean claim() {
        return inUse == 0 && IN_USE.compareAndSet(this, 0, 1);
    }

    void release() {
        inUse = 0;
    }

    /** Starts a fork in this frame: its process, its hooks and its event, no failure yet. */
    void begin(int pid, Runnable[] parentHooks, Runnable[] childHooks, Object event) {
        if (this.pid != pid) {
            this.pid = pid;
        }
        if (this.parentHooks != parentHooks) {
            this.parentHooks = parentHooks;
        }
        if (this.childHooks != childHooks) {
            this.childHooks = childHooks;
        }
        if (this.event != event) {
            this.event = event;
        }
        if (failures != null) {
            failures = null;
        }
        if (hookFailures != 0) {
            hookFailures = 0;
        }
    }
}
