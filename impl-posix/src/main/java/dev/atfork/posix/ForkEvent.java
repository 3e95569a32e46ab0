package dev.atfork.posix;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * One fork handled by atfork, committed in the parent at the end of its parent phase. Its duration
 * runs from the start of the prepare phase to the end of the parent phase; its thread is the one
 * that forked.
 */
@Name(ForkRecorder.EVENT_NAME)
@Label("Fork")
@Category("atfork")
@Description("A fork() handled by atfork, from the start of its prepare phase to the end of its parent phase")
final class ForkEvent extends Event {

    /** When the prepare phase began, in {@link System#nanoTime()}; not recorded. */
    transient long prepareStartNanos;

    @Label("Prepare Duration")
    @Description("How long the prepare phase took: the preFork hooks, then the protected streams' locks and flushes")
    @Timespan(Timespan.NANOSECONDS)
    long prepareDuration;

    @Label("Streams Handed Over")
    @Description("How many protected streams the prepare phase handed over to the child")
    int streamsHandedOver;

    @Label("Forced Releases")
    @Description("How many of them could not be locked or flushed in time: the child replaces them, with a report")
    int forcedReleases;

    @Label("Hooks Run")
    @Description("How many preFork and afterForkParent hooks this fork called")
    int hooksRun;

    @Label("Hook Failures")
    @Description("How many of them threw")
    int hookFailures;

    @Label("Child Handler Installed")
    @Description("Whether the native child handler is installed, so that every child runs Java code of atfork")
    boolean childHandlerInstalled;
}
