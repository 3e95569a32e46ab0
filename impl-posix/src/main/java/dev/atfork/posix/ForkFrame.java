package dev.atfork.posix;

/**
 * One fork in flight, made by its prepare phase: who forked, which hooks its other phases run,
 * which stream locks it took, and the hook failures to report once it is over.
 */
final class ForkFrame {

    final int pid;
    final Runnable[] parentHooks;
    final Runnable[] childHooks;
    /** The stream locks taken; set at the end of the prepare phase. */
    Settler.Job streams;
    /** The prepare phase's hook failures, reported after the fork; null while there is none. */
    HookFailureLog.Pending failures;

    ForkFrame(int pid, Runnable[] parentHooks, Runnable[] childHooks) {
        this.pid = pid;
        this.parentHooks = parentHooks;
        this.childHooks = childHooks;
    }
}
