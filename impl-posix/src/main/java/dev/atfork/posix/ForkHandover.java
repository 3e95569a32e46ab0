package dev.atfork.posix;

import dev.atfork.posix.libc.Bindings;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands the protected streams over at each fork: every {@link StreamGuard} alive, held weakly.
 *
 * <p>Each prepare phase starts a new {@linkplain #epoch() epoch}, and a guard catches up on its
 * next use: in the process that forked, it only notes the epoch, and only once no fork is in
 * flight; in a child it recovers. Forks from several threads at once, and forks from within fork
 * hooks, each hand over what they took.
 *
 * <p>What every fork writes here is in static fields of this class, so on one page: after a fork
 * each page written is copied.
 */
final class ForkHandover {

    /** Set {@code -Ddev.atfork.reportForcedRelease=false} to silence the child's forced-release report. */
    static final boolean REPORT_FORCED_RELEASE =
            !"false".equalsIgnoreCase(System.getProperty("dev.atfork.reportForcedRelease"));
    /** Counts the prepare phases run in this process and its ancestors; through {@link #EPOCH}. */
    private static volatile long epoch;
    /** The forks whose prepare phase ran and parent phase has not: the process id in the high half, the count in the low; through {@link #FORKS_IN_FLIGHT}. */
    private static volatile long forksInFlight;
    private static final VarHandle EPOCH;
    private static final VarHandle FORKS_IN_FLIGHT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            EPOCH = lookup.findStaticVarHandle(ForkHandover.class, "epoch", long.class);
            FORKS_IN_FLIGHT = lookup.findStaticVarHandle(ForkHandover.class, "forksInFlight", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** Serialises additions to {@link #registry}; neither the fork-time code nor {@link #remove} takes it. */
    private static volatile ReentrantLock adding = new ReentrantLock();
    /** The process whose threads may hold {@link #adding}; a child makes its own lock. */
    private static volatile int addingPid = Bindings.LIBC.getpid();
    /** Every guard watched, held weakly; a prepare phase reads it without a lock. */
    private static volatile Registry registry = new Registry(new GuardReference[8], 0);
    /** Below this many slots a registry is never compacted by a parent phase. */
    private static final int MIN_SLOTS_TO_COMPACT = 1024;
    /** Where the next addition looks for entries of guards no longer watched; guarded by {@link #adding}. */
    private static int sweepFrom;
    /** Until when writers step aside for the latest prepare phase, in {@link System#nanoTime()}. */
    private static volatile long handoverDeadline;
    private static final long STEP_ASIDE_PAUSE_NANOS = 20_000;

    private ForkHandover() {
    }

    /** The latest prepare phase's epoch: a guard whose own is behind catches up on its next use. */
    static long epoch() {
        return epoch;
    }

    /** A guard, held weakly; cleared when the guard stops being watched. */
    static final class GuardReference extends WeakReference<StreamGuard<?>> {
        GuardReference(StreamGuard<?> guard) {
            super(guard);
        }
    }

    /**
     * The first {@code size} slots of an array that grows at its end: an addition writes the next
     * slot and then publishes a new {@code Registry}, so a reader sees a complete prefix. A slot
     * whose guard is gone may be emptied in place.
     */
    private static final class Registry {
        final GuardReference[] slots;
        final int size;

        Registry(GuardReference[] slots, int size) {
            this.slots = slots;
            this.size = size;
        }
    }

    /** Starts handing {@code guard} over at every fork, unless it is already; in amortised constant time. */
    static void add(StreamGuard<?> guard) {
        GuardReference reference = new GuardReference(guard);
        ReentrantLock lock = addingLock();
        lock.lock();
        try {
            if (guard.isWatched()) {
                return;
            }
            Registry current = registry;
            if (current.size == current.slots.length) {
                current = compacted(current);
                sweepFrom = 0;
            }
            sweep(current);
            current.slots[current.size] = reference;
            guard.registration = reference;
            registry = new Registry(current.slots, current.size + 1);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Parent phase: where a prepare phase found most slots empty (views were made and dropped by
     * the thousand), compacts the registry unless an addition is under way, so that the next
     * forks read only the guards alive.
     */
    private static void compactIfMostlyEmpty(int alive) {
        Registry current = registry;
        if (current.size > MIN_SLOTS_TO_COMPACT && alive < current.size / 4) {
            ReentrantLock lock = adding; // not addingLock(): in a child, the next addition makes its own
            if (lock.tryLock()) {
                try {
                    if (registry == current) {
                        registry = compacted(current);
                        sweepFrom = 0;
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * The lock that serialises additions. A child, which has only the thread that forked, makes a
     * lock of its own: the parent's may be held by a thread the child does not have. A registry
     * an addition left half done is still whole up to its published size.
     */
    static ReentrantLock addingLock() {
        int pid = Bindings.LIBC.getpid();
        if (addingPid != pid) {
            adding = new ReentrantLock();
            addingPid = pid;
        }
        return adding;
    }

    /** The watched guards of a full registry, in a new array at most half full; not yet published. */
    private static Registry compacted(Registry full) {
        int live = 0;
        for (GuardReference kept : full.slots) {
            live += isWatched(kept) ? 1 : 0;
        }
        GuardReference[] slots = new GuardReference[Math.max(8, 2 * (live + 1))];
        int size = 0;
        for (GuardReference kept : full.slots) {
            if (isWatched(kept)) { // never more than in the first pass: a cleared reference stays cleared
                slots[size++] = kept;
            }
        }
        return new Registry(slots, size);
    }

    /** Empties two more slots of guards gone, so that every such slot is emptied within one filling. */
    private static void sweep(Registry current) {
        for (int i = 0; i < 2 && sweepFrom < current.size; i++, sweepFrom++) {
            if (!isWatched(current.slots[sweepFrom])) {
                current.slots[sweepFrom] = null;
            }
        }
        if (sweepFrom >= current.size) {
            sweepFrom = 0;
        }
    }

    private static boolean isWatched(GuardReference reference) {
        return reference != null && reference.get() != null;
    }

    /** Stops handing {@code guard} over; takes no lock, so a child may call it too. */
    static void remove(StreamGuard<?> guard) {
        GuardReference reference = guard.registration;
        if (reference != null) {
            reference.clear();
        }
    }

    /**
     * Prepare phase: takes every guard's lock, newest first, within {@code timeoutNanos} in all,
     * and has a {@link Settler} flush those written to since their last flush, within the same
     * bound. Newest first, since a view is always watched after a view it wraps, and writers take
     * the outer lock first. A pending interrupt neither shortens the bound nor is lost.
     *
     * @param pid this process's id
     * @param previous the job of the frame's previous fork, reused if it is free and large enough; or null
     * @return what was taken, for {@link #releaseInParent}
     */
    static Settler.Job prepare(int pid, long timeoutNanos, Settler.Job previous) {
        boolean interrupted = Thread.interrupted();
        Registry current = registry;
        GuardReference[] references = current.slots;
        Settler.Job job = Settler.Job.reusedOrNew(previous, watched(current)); // sized by those alive: slots outnumber them after a burst of views
        long deadline = System.nanoTime() + timeoutNanos;
        handoverDeadline = deadline;
        countForksInFlight(pid, 1);
        EPOCH.getAndAdd(1L);
        boolean started = false;
        for (int i = current.size - 1; i >= 0; i--) {
            GuardReference reference = references[i];
            StreamGuard<?> guard = reference == null ? null : reference.get();
            if (guard == null || job.count() == job.guards.length) {
                continue; // gone; the count above is an upper bound, the second test a safety net
            }
            if (guard.pid != pid) {
                guard.recoverInChild(pid, ChildReport.STDERR); // a child that forks before using this stream
            }
            ReentrantLock taken = guard.lockForFork(deadline);
            if (taken != null) {
                guard.settled = guard.isClean();
            }
            job.add(guard, taken);
            if (taken != null && !guard.settled && !started && Settler.available()) {
                Settler.start(job); // a child has no settler: what it has not flushed stays unsettled
                started = true;
            }
        }
        job.fill();
        if (started) {
            Settler.await(job, deadline);
        }
        if (interrupted || Thread.interrupted()) {
            Thread.currentThread().interrupt();
        }
        return job;
    }

    /** How many guards of {@code current} are alive: at least as many as a later read of it finds. */
    private static int watched(Registry current) {
        int alive = 0;
        for (int i = 0; i < current.size; i++) {
            alive += isWatched(current.slots[i]) ? 1 : 0;
        }
        return alive;
    }

    /** Parent phase: releases what {@link #prepare} took. */
    static void releaseInParent(int pid, Settler.Job taken) {
        for (int i = 0, n = taken.count(); i < n; i++) {
            if (taken.locks[i] != null) {
                taken.guards[i].releaseAfterFork(taken.locks[i]);
            }
        }
        countForksInFlight(pid, -1);
        compactIfMostlyEmpty(taken.guards.length);
    }

    /**
     * Called by a guard whose epoch is behind: in a child, recovers it; in the parent, notes the
     * epoch once no fork is in flight. While a prepare phase waits for this guard's lock, the
     * writer steps aside, up to that phase's deadline, rather than race the forking thread for the
     * lock, which it would then wait for anyway.
     */
    static void catchUp(StreamGuard<?> guard) {
        long current = epoch;
        int pid = Bindings.LIBC.getpid();
        if (guard.pid != pid) {
            guard.recoverInChild(pid, ChildReport.STDERR);
        }
        while (guard.awaitedByFork() && System.nanoTime() - handoverDeadline < 0) {
            LockSupport.parkNanos(STEP_ASIDE_PAUSE_NANOS);
        }
        if (noForkInFlight(pid)) {
            guard.epoch = current; // a prepare phase since the read above has bumped the epoch past it
        }
    }

    /** Tells whether no fork's prepare phase ran in process {@code pid} without its parent phase. */
    static boolean noForkInFlight(int pid) {
        long inFlight = forksInFlight;
        return (int) (inFlight >>> 32) != pid || (int) inFlight == 0;
    }

    /** Adds {@code delta} to this process's count; a child starts from zero, whatever its parent had in flight. */
    private static void countForksInFlight(int pid, int delta) {
        long old;
        long next;
        do {
            old = forksInFlight;
            int count = (int) (old >>> 32) == pid ? (int) old : 0;
            next = ((long) pid << 32) | ((count + delta) & 0xffffffffL);
        } while (!FORKS_IN_FLIGHT.compareAndSet(old, next));
    }
}
