package dev.atfork.posix;

import dev.atfork.posix.libc.ForkEntries;
import dev.atfork.spi.NativeForkHandlers;

/**
 * Runs the whole Java fork path, from the functions libc calls to the stream handover, tens of
 * thousands of times without forking, before the first fork: as a fork that failed runs it,
 * prepare then parent. The JIT's optimising compiler then has the path before the first fork,
 * with the profile of a fork in the parent. Code still interpreted or profiled at a fork writes
 * its counters, and after a fork every page written is copied: 20 to 45 pages per fork until the
 * path is compiled.
 *
 * <p>It runs through the functions libc calls ({@link ForkEntries#runWithoutForking}) into a twin
 * of the dispatcher, made the target of the native handlers meanwhile: the same classes at every
 * call, the same streams, but no hook and no JFR event (it does not run while a recording would
 * record one). A fork meanwhile, before the dispatcher is registered, is handed over by the twin,
 * within the twin's bound. Each run profiles the paths only a child takes ({@link
 * ChildPaths#profile}), so the forks after it need not.
 *
 * <p>It never waits long for a stream: each run waits at most {@link #MAX_WAIT_NANOS} for the
 * stream locks, and the warm-up stops at the first run that could not take them all (a thread is
 * stuck writing, say).
 */
final class ForkPathWarmUp {

    /**
     * How many runs: the optimising compiler takes a method at 5 000 calls or more, as many more
     * as its queue is long, and it is busy at start-up. 10 000 left the parent phase uncompiled for
     * thousands of forks; 40 000 had the whole path compiled within the warm-up.
     */
    static final int FORKS = 40_000;
    /** Runs between checks that the last one took every stream. */
    private static final int CHUNK = 100;
    /**
     * Where one chunk runs as forks that find the dispatcher's frame in use and make their own, as
     * forks that overlap do, and those of a child that forks again: once the runs are profiled.
     */
    private static final int OVERLAPPING_AT = 20 * CHUNK;
    /** How long a run may wait for the stream locks, in all. */
    static final long MAX_WAIT_NANOS = 1_000_000;

    private ForkPathWarmUp() {
    }

    /**
     * Warms up the path {@code handlers} take at a fork, with {@code real}'s settings. Leaves a twin
     * the target of {@code handlers}: the caller then activates {@code real}.
     */
    static void run(ForkDispatcher real, NativeForkHandlers handlers, ForkEntries entries) {
        if (ForkRecorder.isRecording()) {
            return; // each run would be recorded as a fork
        }
        ForkDispatcher twin = new ForkDispatcher();
        twin.setPrepareTimeoutNanos(Math.min(real.prepareTimeoutNanos(), MAX_WAIT_NANOS));
        twin.setChildHandlerInstalled(real.isChildHandlerInstalled());
        twin.setHandlers(handlers);
        twin.setRegistered(true);
        handlers.activate(twin);
        int runs = 0;
        while (runs < FORKS && twin.lastForkTookEveryStream()) {
            boolean overlapping = runs == OVERLAPPING_AT && twin.takeOwnFrame();
            entries.runWithoutForking(CHUNK);
            if (overlapping) {
                twin.giveOwnFrameBack();
            }
            runs += CHUNK;
        }
        if (runs == FORKS) {
            real.childPathsProfiled();
        }
    }
}
