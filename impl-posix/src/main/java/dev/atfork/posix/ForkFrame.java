package dev.atfork.posix;

/**
 * One fork in flight, made by its prepare phase: who forked, which hooks its other phases run,
 * which stream locks it took, the hook failures to report once it is over, and what a JFR
 * event of it records (in the parent only).
 */
final class ForkFrame {

    final int pid;
    final Runnable[] parentHooks;
    final Runnable[] childHooks;
    /** The stream locks taken; set at the end of the prepare phase. */
    Settler.Job streams;
    /** The prepare phase's hook failures, reported after the fork; null while there is none. */
    HookFailureLog.Pending failures;
    /** How many preFork and afterForkParent hooks this fork calls. */
    int hooksRun;
    /** How many of them threw, so far. */
    int hookFailures;
    /** This fork's JFR event, begun by the prepare phase while a recording enables it; else null. */
    Object event;

    ForkFrame(int pid, Runnable[] parentHooks, Runnable[] childHooks) {
        this.pid = pid;
        this.parentHooks = parentHooks;
        this.childHooks = childHooks;
    }
}
