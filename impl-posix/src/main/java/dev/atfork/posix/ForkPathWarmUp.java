package dev.atfork.posix;

import dev.atfork.posix.libc.Bindings;
import dev.atfork.spi.NativeForkHandlers;

/**
 * Runs the whole Java fork path, from the function libc calls to the stream handover, thousands
 * of times without forking, before the first fork: as a fork that failed runs it, prepare then
 * parent. The JIT's optimising compiler then has it before the first fork, with the profile of a
 * fork in the parent. Code still interpreted or profiled at a fork writes its counters, and after
 * a fork every page written is copied: about 30 pages per fork until the path is compiled.
 *
 * <p>It runs through a twin of the dispatcher: the same classes at every call, the same streams,
 * but handlers of its own that libc never calls, no hook, and no JFR event (it does not run while
 * a recording would record one).
 */
final class ForkPathWarmUp {

    /** The optimising compiler takes a method at 5 000 calls. */
    static final int FORKS = 10_000;

    private ForkPathWarmUp() {
    }

    /** Warms the path {@code real} takes at a fork up, with its settings; call it once {@code real} is registered. */
    static void run(ForkDispatcher real) {
        if (ForkRecorder.isRecording()) {
            return; // each run would be recorded as a fork
        }
        NativeForkHandlers set = NativeForkHandlers.claim(); // never installed, so never pinned: dropped after
        ForkDispatcher twin = new ForkDispatcher();
        twin.setPrepareTimeoutNanos(real.prepareTimeoutNanos());
        twin.setChildHandlerInstalled(real.isChildHandlerInstalled());
        twin.setHandlers(set);
        twin.setRegistered(true);
        set.activate(twin);
        Bindings.LIBC.forkEntries(set).runWithoutForking(FORKS);
        twin.setRegistered(false);
    }
}
