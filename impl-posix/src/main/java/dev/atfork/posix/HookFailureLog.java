package dev.atfork.posix;

import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Logs the failures of parent-side hooks at {@code ERROR} through the {@code System.Logger} named
 * {@code dev.atfork}, off the fork path: on a daemon thread of its own, so that neither a slow nor
 * a failing logging backend can hold up or break a fork. The logger is created on first failure.
 * At most {@value #MAX_PENDING} failures wait; the count of those dropped past that is logged.
 */
final class HookFailureLog implements Runnable {

    static final String LOGGER_NAME = "dev.atfork";
    private static final int MAX_PENDING = 64;
    private static final ConcurrentLinkedQueue<Failure> QUEUE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger QUEUED = new AtomicInteger();
    private static final AtomicInteger DROPPED = new AtomicInteger();
    private static Thread reporter;

    /** One failure: what kind of hook, which, and how it failed. */
    private static final class Failure {
        final String kind;
        final Object hook;
        final Throwable failure;
        Failure next;

        Failure(String kind, Object hook, Throwable failure) {
            this.kind = kind;
            this.hook = hook;
            this.failure = failure;
        }
    }

    /** Failures held back until the stream locks of their fork are released. */
    static final class Pending {
        private Failure first;
        private Failure last;

        void add(String kind, Object hook, Throwable failure) {
            Failure added = new Failure(kind, hook, failure);
            if (last == null) {
                first = added;
            } else {
                last.next = added;
            }
            last = added;
        }
    }

    private HookFailureLog() {
    }

    /** Queues every failure held back. Never throws. */
    static void report(Pending pending) {
        for (Failure failure = pending.first; failure != null; failure = failure.next) {
            enqueue(failure);
        }
    }

    /** Queues one failure. Never throws. */
    static void report(String kind, Object hook, Throwable failure) {
        enqueue(new Failure(kind, hook, failure));
    }

    private static void enqueue(Failure failure) {
        try {
            if (QUEUED.incrementAndGet() > MAX_PENDING) {
                QUEUED.decrementAndGet();
                DROPPED.incrementAndGet();
                return;
            }
            QUEUE.add(failure);
            LockSupport.unpark(reporter());
        } catch (Throwable ignored) {
            // nothing may escape into the fork path
        }
    }

    private static synchronized Thread reporter() {
        if (reporter == null) {
            reporter = new Thread(new HookFailureLog(), "atfork-hook-failures");
            reporter.setDaemon(true);
            reporter.start();
        }
        return reporter;
    }

    @Override
    public void run() {
        System.Logger log = System.getLogger(LOGGER_NAME);
        for (;;) {
            Failure failure = QUEUE.poll();
            if (failure == null) {
                LockSupport.park(this);
                continue;
            }
            QUEUED.decrementAndGet();
            try {
                log.log(Level.ERROR, "atfork " + failure.kind + " hook " + describe(failure.hook) + " failed",
                        failure.failure);
                int dropped = DROPPED.getAndSet(0);
                if (dropped > 0) {
                    log.log(Level.ERROR, "atfork: " + dropped + " more hook failures were not logged");
                }
            } catch (Throwable ignored) {
                // a failing logging backend: nothing more to do
            }
        }
    }

    /** The hook's own description, or its class where {@code toString()} fails. */
    static String describe(Object hook) {
        try {
            return String.valueOf(hook);
        } catch (Throwable e) {
            return hook.getClass().getName() + " (its toString() threw " + e.getClass().getName() + ")";
        }
    }
}
