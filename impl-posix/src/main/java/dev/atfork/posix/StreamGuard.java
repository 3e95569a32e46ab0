package dev.atfork.posix;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock of one protected stream and its handover at fork.
 *
 * <p>Writers take {@link #lock()}, which costs two volatile reads beyond the lock itself. At
 * prepare the forking thread takes the lock within a bound and flushes the target, so the child
 * inherits a consistent, empty stream. The child never waits for a lock that a thread of the
 * parent held: on its first use of any protected stream it replaces every lock, and where the
 * lock could not be taken in time it also swaps the half-written target for a spare one created
 * in the parent, and reports that with one {@code write(2)}.
 *
 * @param <T> the type of the stream written to
 */
final class StreamGuard<T extends Flushable & Closeable> {

    /** What the prepare phase achieved for this stream at the fork in flight. */
    enum Handover { NONE, TAKEN, FORCED }

    private final T spare;
    private final byte[] forcedReleaseReport;
    private volatile ReentrantLock lock = new ReentrantLock();
    private volatile T target;
    /** The fork epoch this guard is current for; see {@link ForkHandover#epoch}. */
    volatile long epoch;
    private Handover handover = Handover.NONE;

    /**
     * @param target the stream written to
     * @param spare the stream the child writes to if the lock could not be taken: the same
     *     destination, or a sink that drops output
     * @param name how reports name the stream
     */
    StreamGuard(T target, T spare, String name) {
        this.target = target;
        this.spare = spare;
        this.forcedReleaseReport = ForkHandover.REPORT_FORCED_RELEASE
                ? ("atfork: deadlock for " + name + ", releasing\n").getBytes(StandardCharsets.UTF_8)
                : null;
    }

    /** Takes the lock, first catching up with a fork if this process is its child; returns the lock to release. */
    ReentrantLock lock() {
        if (epoch != ForkHandover.epoch) {
            ForkHandover.catchUp(this);
        }
        ReentrantLock current = lock;
        current.lock();
        return current;
    }

    /** The stream to write to; read it while holding the lock. */
    T target() {
        return target;
    }

    /** Flushes the target under the lock. */
    void flush() throws IOException {
        ReentrantLock current = lock();
        try {
            target.flush();
        } finally {
            current.unlock();
        }
    }

    /** Ends the watch and closes the target under the lock. */
    void close() throws IOException {
        ForkHandover.remove(this);
        ReentrantLock current = lock();
        try {
            target.close();
        } finally {
            current.unlock();
        }
    }

    /** Prepare phase, on the forking thread: takes the lock by the deadline and flushes the target. */
    void prepare(long deadlineNanos) {
        boolean taken;
        try {
            taken = lock.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            taken = false;
        }
        handover = taken ? Handover.TAKEN : Handover.FORCED;
        if (taken) {
            try {
                target.flush();
            } catch (IOException | RuntimeException ignored) {
                // The stream's own error handling reports on the next write.
            }
        }
    }

    /** Parent phase, on the forking thread. */
    void releaseInParent(long forkEpoch) {
        epoch = forkEpoch;
        if (handover == Handover.TAKEN) {
            lock.unlock();
        }
        handover = Handover.NONE;
    }

    /** In the child: a fresh lock, and the spare target where the old one may be half-written. */
    void recoverInChild(long forkEpoch, int reportFd) {
        lock = new ReentrantLock();
        if (handover == Handover.FORCED) {
            target = spare;
            if (forcedReleaseReport != null) {
                ChildReport.write(reportFd, forcedReleaseReport);
            }
        }
        handover = Handover.NONE;
        epoch = forkEpoch;
    }

    /** For the warm-up only: pretends the prepare phase ended as {@code outcome}. */
    void assumeHandover(Handover outcome) {
        handover = outcome;
    }
}
