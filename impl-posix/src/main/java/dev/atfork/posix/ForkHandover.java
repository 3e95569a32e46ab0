package dev.atfork.posix;

import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands the protected streams over at each fork: every {@link StreamGuard} alive, held weakly.
 *
 * <p>Each prepare phase starts a new {@linkplain #EPOCH epoch}, and a guard catches up on its
 * next use: in the process that forked, it only notes the epoch, and only once no fork is in
 * flight; in a child it recovers. Forks from several threads at once, and forks from within fork
 * hooks, each hand over what they took.
 */
final class ForkHandover {

    /** Set {@code -Ddev.atfork.reportForcedRelease=false} to silence the child's forced-release report. */
    static final boolean REPORT_FORCED_RELEASE =
            !"false".equalsIgnoreCase(System.getProperty("dev.atfork.reportForcedRelease"));
    /** Counts the prepare phases run in this process and its ancestors. */
    static final AtomicLong EPOCH = new AtomicLong();
    /** The locks of a prepare phase that took none. */
    static final ReentrantLock[] NO_LOCKS = {};
    /** Serialises changes to {@link #guards}; the fork-time code never takes it. */
    private static final Object GUARDS_CHANGE = new Object();
    /**
     * Every guard added and not removed, held weakly; replaced, never changed in place, so that a
     * prepare phase reads it without a lock, even in a child whose parent was changing it.
     */
    private static volatile GuardReference[] guards = {};
    /** The forks whose prepare phase ran and parent phase has not: the process id in the high half, the count in the low. */
    private static final AtomicLong FORKS_IN_FLIGHT = new AtomicLong();
    /** Until when writers step aside for the latest prepare phase, in {@link System#nanoTime()}. */
    private static volatile long handoverDeadline;
    private static final long STEP_ASIDE_PAUSE_NANOS = 20_000;
    private static final StreamGuard<OutputStream> CHILD_PATH =
            new StreamGuard<>(OutputStream.nullOutputStream(), OutputStream.nullOutputStream(), null);

    private ForkHandover() {
    }

    /** A guard, held weakly. */
    private static final class GuardReference extends WeakReference<StreamGuard<?>> {
        GuardReference(StreamGuard<?> guard) {
            super(guard);
        }
    }

    static void add(StreamGuard<?> guard) {
        synchronized (GUARDS_CHANGE) {
            List<GuardReference> kept = guardsWithout(guard);
            kept.add(new GuardReference(guard));
            guards = kept.toArray(new GuardReference[0]);
        }
    }

    static void remove(StreamGuard<?> guard) {
        synchronized (GUARDS_CHANGE) {
            guards = guardsWithout(guard).toArray(new GuardReference[0]);
        }
    }

    /** The live guards other than {@code guard}, dropping those collected. */
    private static List<GuardReference> guardsWithout(StreamGuard<?> guard) {
        List<GuardReference> kept = new ArrayList<>();
        for (GuardReference reference : guards) {
            StreamGuard<?> held = reference.get();
            if (held != null && held != guard) {
                kept.add(reference);
            }
        }
        return kept;
    }

    /**
     * Prepare phase: takes every guard's lock within {@code timeoutNanos} in all.
     *
     * @param pid this process's id
     * @return the locks taken, for {@link #releaseInParent}; null where a lock was not taken
     */
    static ReentrantLock[] prepare(int pid, long timeoutNanos) {
        GuardReference[] references = guards;
        ReentrantLock[] taken = new ReentrantLock[references.length];
        long deadline = System.nanoTime() + timeoutNanos;
        handoverDeadline = deadline;
        countForksInFlight(pid, 1);
        EPOCH.incrementAndGet();
        for (int i = 0; i < references.length; i++) {
            StreamGuard<?> guard = references[i].get();
            if (guard == null) {
                continue;
            }
            if (guard.pid != pid) {
                guard.recoverInChild(pid, ChildReport.STDERR); // a child that forks before using this stream
            }
            taken[i] = guard.prepare(deadline);
        }
        return taken;
    }

    /** Parent phase: releases what {@link #prepare} took. */
    static void releaseInParent(int pid, ReentrantLock[] taken) {
        for (ReentrantLock lock : taken) {
            if (lock != null) {
                lock.unlock();
            }
        }
        countForksInFlight(pid, -1);
        takeChildPath();
    }

    /**
     * Runs a child's recovery on a guard of the library's own, at warm-up and in every parent
     * phase, so that the JIT's profile of that branch is never empty: a branch compiled as never
     * taken would make the child deoptimise, which can hang it on a JVM-internal lock.
     */
    private static void takeChildPath() {
        ReentrantLock held = CHILD_PATH.prepare(System.nanoTime());
        if (held != null) { // another thread's parent phase may be at it
            CHILD_PATH.pid = 0;
            CHILD_PATH.epoch = -1;
            CHILD_PATH.lock().unlock();
            held.unlock();
        }
    }

    /**
     * Called by a guard whose epoch is behind: in a child, recovers it; in the parent, notes the
     * epoch once no fork is in flight. While a prepare phase waits for this guard's lock, the
     * writer steps aside, up to that phase's deadline, rather than race the forking thread for the
     * lock, which it would then wait for anyway.
     */
    static void catchUp(StreamGuard<?> guard) {
        long epoch = EPOCH.get();
        int pid = LibC.getpid();
        if (guard.pid != pid) {
            guard.recoverInChild(pid, ChildReport.STDERR);
        }
        while (guard.awaitedByFork() && System.nanoTime() - handoverDeadline < 0) {
            LockSupport.parkNanos(STEP_ASIDE_PAUSE_NANOS);
        }
        if (noForkInFlight(pid)) {
            guard.epoch = epoch; // a prepare phase since the read above has bumped EPOCH past it
        }
    }

    private static boolean noForkInFlight(int pid) {
        long inFlight = FORKS_IN_FLIGHT.get();
        return (int) (inFlight >>> 32) != pid || (int) inFlight == 0;
    }

    /** Adds {@code delta} to this process's count; a child starts from zero, whatever its parent had in flight. */
    private static void countForksInFlight(int pid, int delta) {
        long old;
        long next;
        do {
            old = FORKS_IN_FLIGHT.get();
            int count = (int) (old >>> 32) == pid ? (int) old : 0;
            next = ((long) pid << 32) | ((count + delta) & 0xffffffffL);
        } while (!FORKS_IN_FLIGHT.compareAndSet(old, next));
    }

    /** Runs the child-side code once in the parent, on guards of its own, so a child finds it resolved. */
    static void warmUp() {
        takeChildPath(); // a lock this thread took for the fork: the target kept
        OutputStream sink = OutputStream.nullOutputStream();
        StreamGuard<OutputStream> forced = new StreamGuard<>(sink, sink, "warm-up");
        forced.recoverInChild(-1, -1); // a lock not taken for the fork: the spare, and a report to no fd
    }
}
