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
     *
     * @return the lock taken, to release in the parent; null if it could not be taken in time
     */
    ReentrantLock prepare(long deadlineNanos) {
        ReentrantLock current = lock;
        boolean taken;
        try {
            taken = current.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            taken = false;
        }
        if (!taken) {
            return null;
        }
        try {
            target.flush();
        } catch (IOException | RuntimeException ignored) {
            // The stream's own error handling reports on the next write.
        }
        return current;
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
