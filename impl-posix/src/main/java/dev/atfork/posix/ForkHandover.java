package dev.atfork.posix;

import java.io.OutputStream;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Hands the protected streams over at each fork: every {@link StreamGuard} alive, held weakly.
 *
 * <p>Each prepare phase starts a new epoch. A guard created before it is "in flight" until the
 * parent phase releases it, or until the child recovers it on first use of any protected stream,
 * with or without a native child handler.
 */
final class ForkHandover {

    /** Set {@code -Ddev.atfork.reportForcedRelease=false} to silence the child's forced-release report. */
    static final boolean REPORT_FORCED_RELEASE =
            !"false".equalsIgnoreCase(System.getProperty("dev.atfork.reportForcedRelease"));
    private static final StreamGuard<?>[] NONE = {};

    private static final Set<StreamGuard<?>> GUARDS = Collections.newSetFromMap(new WeakHashMap<>());
    private static final Object CHILD_RECOVERY = new Object();
    static volatile long epoch;
    /** Written by the prepare phase, read by the forking thread in the parent or the child. */
    private static StreamGuard<?>[] inFlight = NONE;
    private static volatile int forkingPid = LibC.getpid();

    private ForkHandover() {
    }

    static void add(StreamGuard<?> guard) {
        synchronized (GUARDS) {
            guard.epoch = epoch;
            GUARDS.add(guard);
        }
    }

    static void remove(StreamGuard<?> guard) {
        synchronized (GUARDS) {
            GUARDS.remove(guard);
        }
    }

    /** Prepare phase: takes every guard's lock within {@code timeoutNanos} in all. */
    static void prepare(long timeoutNanos) {
        catchUpInChild(); // a child that forks before touching its streams recovers them first
        StreamGuard<?>[] guards;
        synchronized (GUARDS) {
            guards = GUARDS.toArray(NONE);
            epoch++;
        }
        forkingPid = LibC.getpid();
        long deadline = System.nanoTime() + timeoutNanos;
        for (StreamGuard<?> guard : guards) {
            guard.prepare(deadline);
        }
        inFlight = guards;
    }

    /** Parent phase: releases what prepare took. */
    static void releaseInParent() {
        StreamGuard<?>[] guards = inFlight;
        inFlight = NONE;
        long current = epoch;
        for (StreamGuard<?> guard : guards) {
            guard.releaseInParent(current);
        }
    }

    /** Child phase, eager (native child handler) or lazy (first use of a stream): recovers every guard in flight. */
    static void recoverInChild() {
        synchronized (CHILD_RECOVERY) {
            StreamGuard<?>[] guards = inFlight;
            inFlight = NONE;
            recover(guards, epoch, ChildReport.STDERR);
        }
    }

    /** Called by a guard whose epoch is behind: in a child, recovers; in the parent, a fork is in flight and the lock will wait. */
    static void catchUp(StreamGuard<?> guard) {
        if (LibC.getpid() == forkingPid) {
            return;
        }
        recoverInChild();
        if (guard.epoch != epoch) {
            guard.recoverInChild(epoch, ChildReport.STDERR);
        }
    }

    private static void catchUpInChild() {
        if (inFlight.length > 0 && LibC.getpid() != forkingPid) {
            recoverInChild();
        }
    }

    private static void recover(StreamGuard<?>[] guards, long forkEpoch, int reportFd) {
        for (StreamGuard<?> guard : guards) {
            guard.recoverInChild(forkEpoch, reportFd);
        }
    }

    /** Runs the child-side code once in the parent, on guards of its own, so a child finds it resolved. */
    static void warmUp() {
        OutputStream sink = OutputStream.nullOutputStream();
        StreamGuard<OutputStream> taken = new StreamGuard<>(sink, sink, "warm-up");
        StreamGuard<OutputStream> forced = new StreamGuard<>(sink, sink, "warm-up");
        taken.assumeHandover(StreamGuard.Handover.TAKEN);
        forced.assumeHandover(StreamGuard.Handover.FORCED);
        recover(new StreamGuard<?>[] {taken, forced}, epoch, -1);
        taken.epoch = epoch - 1;
        taken.lock().unlock(); // the catch-up path, which returns early in the parent
    }
}
