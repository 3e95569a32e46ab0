package dev.atfork.posix;

import dev.atfork.posix.libc.Bindings;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Flushes the protected streams for a fork on a daemon thread of its own, so that the forking
 * thread waits for that I/O only up to the fork's deadline: a stream stuck on a full pipe delays
 * no fork beyond the bound. The forking thread keeps the stream locks; a settler writes through a
 * lock its fork holds (a view over another view), and flushes the newest views first.
 *
 * <p>Settlers live in the process that started them; a child has none and flushes nothing.
 */
final class Settler extends Thread {

    private static final ConcurrentLinkedQueue<Settler> IDLE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger STARTED = new AtomicInteger();
    private static final int HOME_PID = Bindings.LIBC.getpid();
    /** How long the forking thread spins for a settler before it polls: about one flush to a pipe. */
    private static final long SPIN_NANOS = 50_000;
    private static final long POLL_NANOS = 20_000;

    private volatile Job job;
    private volatile Job running;

    /**
     * One fork's flushes: the guards whose locks the forking thread took, newest first. The
     * forking thread publishes each guard as it takes its lock, and the settler flushes them as
     * they come, so the newest views are flushed while older locks are still being taken.
     */
    static final class Job {
        final StreamGuard<?>[] guards;
        final ReentrantLock[] locks;
        /** Which guards the settler flushed, up to {@link #progress}. */
        private final boolean[] flushed;
        /** How many guards are published; written by the forking thread only. */
        private volatile int count;
        /** The forking thread has published every guard it will. */
        private volatile boolean filled;
        /** How many guards the settler is through with. */
        private volatile int progress;
        volatile boolean done;
        volatile boolean cancelled;
        /** Handed to a settler, which may still run it while not {@link #done}. */
        private volatile boolean handed;

        /** Made before any lock is taken, so that nothing taken can be lost. */
        Job(int capacity) {
            guards = new StreamGuard<?>[capacity];
            locks = new ReentrantLock[capacity];
            flushed = new boolean[capacity];
        }

        /**
         * A job for {@code capacity} guards: {@code previous}, emptied, if no settler may still run
         * it and it is large enough but not much larger; else a new one. Writes only what changes.
         */
        static Job reusedOrNew(Job previous, int capacity) {
            if (previous == null || (previous.handed && !previous.done)
                    || previous.guards.length < capacity || previous.guards.length > 2 * capacity + 8) {
                return new Job(capacity);
            }
            if (previous.count != 0) {
                previous.count = 0;
            }
            if (previous.progress != 0) {
                previous.progress = 0;
            }
            if (previous.filled) {
                previous.filled = false;
            }
            if (previous.cancelled) {
                previous.cancelled = false;
            }
            if (previous.done) {
                previous.done = false;
            }
            if (previous.handed) {
                previous.handed = false;
            }
            return previous;
        }

        int count() {
            return count;
        }

        /** On the forking thread: publishes one more guard, and the lock taken for it, or null. */
        void add(StreamGuard<?> guard, ReentrantLock taken) {
            int next = count;
            if (guards[next] != guard) {
                guards[next] = guard;
            }
            if (locks[next] != taken) {
                locks[next] = taken;
            }
            count = next + 1;
        }

        /** On the forking thread: no more guards come; the slots of a reused job's earlier fork let go of theirs. */
        void fill() {
            for (int i = count; i < guards.length && guards[i] != null; i++) {
                guards[i] = null;
                locks[i] = null;
            }
            filled = true;
        }

        /** On the settler: flushes each guard published, in order, until all are or it is cancelled. */
        void run() {
            int i = 0;
            long idleSince = 0;
            while (!cancelled) {
                if (i < count) {
                    flushed[i] = locks[i] != null && guards[i].flushForFork();
                    progress = ++i;
                    idleSince = 0;
                } else if (filled && i == count) {
                    return;
                } else if (idleSince == 0) {
                    idleSince = System.nanoTime(); // the forking thread is still taking locks
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, POLL_NANOS);
                }
            }
        }

        /**
         * On the forking thread, once it waits no more: marks settled the guards flushed by then.
         * Only the fork that holds a guard's lock writes its {@code settled}, so a settler that
         * finishes late cannot mark a later fork's guard.
         */
        void markSettled() {
            cancelled = true;
            int through = progress;
            for (int i = 0; i < through; i++) {
                if (flushed[i]) {
                    guards[i].settled = true;
                }
            }
        }

        /** Tells whether the forking thread took the lock of every guard it published. */
        boolean tookEveryLock() {
            return !holds(null); // a guard whose lock was not taken is published with null
        }

        boolean holds(ReentrantLock lock) {
            for (int i = 0, n = count; i < n; i++) {
                if (locks[i] == lock) {
                    return true;
                }
            }
            return false;
        }
    }

    private Settler() {
        super("atfork-settler-" + STARTED.incrementAndGet());
        setDaemon(true);
    }

    /** Tells whether this process has settlers: only the one that loaded this class does. */
    static boolean available() {
        return Bindings.LIBC.getpid() == HOME_PID;
    }

    /** Starts one settler ahead of the first fork. */
    static void warmUp() {
        if (IDLE.isEmpty()) {
            IDLE.add(started());
        }
    }

    /** Hands {@code job} to an idle settler, starting one if none is idle, as soon as it has a guard to flush. */
    static void start(Job job) {
        Settler settler = IDLE.poll();
        if (settler == null) {
            settler = started(); // the others are busy, or stuck in a flush of an earlier fork
        }
        job.handed = true;
        settler.job = job;
        LockSupport.unpark(settler);
    }

    /**
     * Returns once {@code job}, {@linkplain #start started} and {@linkplain Job#fill filled}, is
     * done, or at {@code deadlineNanos}, and marks settled what was flushed by then. The forking
     * thread polls rather than be woken: a settler still inside {@code unpark} at the fork would
     * leave the child a condition variable in use. An interrupt neither shortens the wait nor is lost.
     */
    static void await(Job job, long deadlineNanos) {
        boolean interrupted = false;
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        long now;
        while (!job.done && (now = System.nanoTime()) - deadlineNanos < 0) {
            if (now - spinUntil < 0) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(job, Math.min(POLL_NANOS, deadlineNanos - now));
                interrupted |= Thread.interrupted(); // else park returns at once until the deadline
            }
        }
        job.markSettled();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tells whether the calling thread is a settler whose fork holds {@code lock}, so it may write without it. */
    static boolean mayBorrow(ReentrantLock lock) {
        Thread current = Thread.currentThread();
        if (current instanceof Settler) {
            Job running = ((Settler) current).running;
            return running != null && running.holds(lock);
        }
        return false;
    }

    @Override
    public void run() {
        for (;;) {
            Job next = job;
            if (next == null) {
                LockSupport.park(this);
                continue;
            }
            job = null;
            running = next;
            try {
                next.run();
            } catch (Throwable ignored) {
                // flushForFork catches the stream's failures; nothing else may end a settler
            }
            running = null;
            IDLE.add(this);
            next.done = true;
        }
    }

    private static Settler started() {
        Settler settler = new Settler();
        settler.start();
        return settler;
    }
}
