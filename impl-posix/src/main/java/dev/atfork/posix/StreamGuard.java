package dev.atfork.posix;

import dev.atfork.posix.libc.Bindings;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock of one protected stream and its handover at fork.
 *
 * <p>Writers take {@link #lock()}, which costs two volatile reads beyond the lock itself. At
 * prepare the forking thread takes the lock within a bound, and a {@link Settler} flushes the
 * target if it was written since its last flush, so the child inherits a consistent, empty stream:
 * it is then <em>settled</em>. The child never waits for a lock that a thread of the parent held:
 * on its first use of this stream it replaces the lock, and unless the stream was settled for its
 * fork, it also swaps the possibly half-written target for a spare one created in the parent, and
 * reports that with one {@code write(2)}.
 *
 * @param <T> the type of the stream written to
 */
final class StreamGuard<T extends Flushable & Closeable> {

    private final T spare;
    private final byte[] forcedReleaseReport;
    /** What {@link #lock()} returns to a settler that writes under a lock its fork holds: unlocking it does nothing. */
    private static final ReentrantLock BORROWED = new ReentrantLock() {
        @Override
        public void unlock() {
        }
    };
    private volatile ReentrantLock lock = new ReentrantLock();
    /** Written since its last flush; guarded by the lock. */
    private boolean dirty;
    /** Flushed for the fork whose forking thread holds the lock; written only by that fork. */
    volatile boolean settled;
    private volatile T target;
    /** The fork epoch this guard is current for; see {@link ForkHandover#epoch()}. Stale until first used. */
    volatile long epoch = -1;
    /** The process whose threads this guard's lock and target belong to. */
    volatile int pid = Bindings.LIBC.getpid();
    /** How many prepare phases are waiting for this guard's lock. */
    private final AtomicInteger preparing = new AtomicInteger();
    /** This guard's entry in the fork handover, once added; cleared to stop handing it over. */
    volatile ForkHandover.GuardReference registration;

    /**
     * @param target the stream written to
     * @param spare the stream the child writes to if the lock could not be taken: the same
     *     destination, or a sink that drops output
     * @param name how reports name the stream; null for a guard of the library's own that never reports
     */
    StreamGuard(T target, T spare, String name) {
        this.target = target;
        this.spare = spare;
        this.forcedReleaseReport = ForkHandover.REPORT_FORCED_RELEASE && name != null
                ? ("atfork: deadlock for " + name + ", releasing\n").getBytes(StandardCharsets.UTF_8)
                : null;
    }

    /** Takes the lock, first catching up with the forks since its last use; returns the lock to release. */
    ReentrantLock lock() {
        if (epoch != ForkHandover.epoch()) {
            ForkHandover.catchUp(this);
        }
        ReentrantLock current = lock;
        if (!current.tryLock()) {
            if (Settler.mayBorrow(current)) {
                dirty = true;
                return BORROWED;
            }
            current.lock();
        }
        dirty = true;
        return current;
    }

    /** Tells whether this guard is handed over at forks: added and not removed since. */
    boolean isWatched() {
        ForkHandover.GuardReference reference = registration;
        return reference != null && reference.get() != null;
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
            dirty = false;
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

    /**
     * Prepare phase, on the forking thread: takes the lock by the deadline. The caller has cleared
     * its interrupt status, so an interrupt neither shortens the wait nor is lost.
     *
     * @return the lock taken, to release after the fork; null if it could not be taken in time
     */
    ReentrantLock lockForFork(long deadlineNanos) {
        ReentrantLock current = lock;
        boolean interrupted = false;
        preparing.incrementAndGet();
        try {
            for (;;) {
                try {
                    return current.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)
                            ? current : null;
                } catch (InterruptedException e) {
                    interrupted = true; // from another thread meanwhile: wait on, and keep it for the caller
                }
            }
        } finally {
            preparing.decrementAndGet();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Tells whether nothing was written since the last flush; read under the lock. */
    boolean isClean() {
        return !dirty;
    }

    /**
     * Flushes the target for a fork, under the lock its fork holds.
     *
     * @return true if the target holds nothing buffered now; false if the flush failed, so that a
     *     child does not keep a target that may still hold bytes
     */
    boolean flushForFork() {
        if (!dirty) {
            return true;
        }
        try {
            target.flush();
            dirty = false;
            return true;
        } catch (Throwable failure) {
            return false; // the stream's own error handling reports on the next write
        }
    }

    /** Parent phase: ends the fork's hold on {@code taken}, the lock {@link #lockForFork} returned. */
    void releaseAfterFork(ReentrantLock taken) {
        settled = false;
        taken.unlock();
    }

    /** Tells whether a prepare phase on another thread is waiting for this lock, which the caller does not hold. */
    boolean awaitedByFork() {
        return preparing.get() > 0 && !lock.isHeldByCurrentThread();
    }

    /**
     * In a child, once: a fresh lock, and the spare target unless the stream was settled for the
     * fork that made this child, by the thread that forked.
     */
    synchronized void recoverInChild(int childPid, int reportFd) {
        if (pid == childPid) {
            return;
        }
        boolean flushedForThisFork = settled && lock.isHeldByCurrentThread();
        settled = false;
        lock = new ReentrantLock();
        if (!flushedForThisFork) {
            target = spare;
            if (forcedReleaseReport != null) {
                ChildReport.write(reportFd, forcedReleaseReport);
            }
        }
        pid = childPid;
    }
}
