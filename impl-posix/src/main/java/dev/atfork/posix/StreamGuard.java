package dev.atfork.posix;

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
 * prepare the forking thread takes the lock within a bound and flushes the target, so the child
 * inherits a consistent, empty stream. The child never waits for a lock that a thread of the
 * parent held: on its first use of this stream it replaces the lock, and unless the lock was held
 * by the thread that forked, it also swaps the possibly half-written target for a spare one
 * created in the parent, and reports that with one {@code write(2)}.
 *
 * @param <T> the type of the stream written to
 */
final class StreamGuard<T extends Flushable & Closeable> {

    private final T spare;
    private final byte[] forcedReleaseReport;
    private volatile ReentrantLock lock = new ReentrantLock();
    private volatile T target;
    /** The fork epoch this guard is current for; see {@link ForkHandover#EPOCH}. Stale until first used. */
    volatile long epoch = -1;
    /** The process whose threads this guard's lock and target belong to. */
    volatile int pid = LibC.getpid();
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
        if (epoch != ForkHandover.EPOCH.get()) {
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

    /**
     * Prepare phase, on the forking thread: takes the lock by the deadline and flushes the target.
     * A pending interrupt is kept for the caller, not taken for a reason to give up.
     *
     * @return the lock taken, to release in the parent; null if it could not be taken in time, or
     *     the flush failed, so that a child does not keep a target that may still hold bytes
     */
    ReentrantLock prepare(long deadlineNanos) {
        ReentrantLock current = lock;
        boolean interrupted = Thread.interrupted();
        boolean taken;
        preparing.incrementAndGet();
        try {
            taken = current.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            taken = false;
            interrupted = true;
        } finally {
            preparing.decrementAndGet();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (!taken) {
            return null;
        }
        try {
            target.flush();
            return current;
        } catch (Throwable failure) {
            current.unlock(); // the stream's own error handling reports on the next write
            return null;
        }
    }

    /** Tells whether a prepare phase on another thread is waiting for this lock, which the caller does not hold. */
    boolean awaitedByFork() {
        return preparing.get() > 0 && !lock.isHeldByCurrentThread();
    }

    /**
     * In a child, once: a fresh lock, and the spare target unless the forking thread held the lock,
     * which it does only where its prepare phase took it and flushed the target.
     */
    synchronized void recoverInChild(int childPid, int reportFd) {
        if (pid == childPid) {
            return;
        }
        boolean flushedForThisFork = lock.isHeldByCurrentThread();
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
