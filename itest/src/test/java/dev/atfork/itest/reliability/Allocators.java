package dev.atfork.itest.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** A GC-heavy parent: daemon threads that allocate 32 KiB arrays flat out, for the hang benchmarks. */
final class Allocators {

    private Allocators() {
    }

    /** Starts {@code count} threads that allocate into a ring of 256 arrays until {@code stop} is set. */
    static List<Thread> start(int count, AtomicBoolean stop) {
        List<Thread> allocators = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Thread allocator = new Thread(() -> {
                Object[] ring = new Object[256];
                int at = 0;
                while (!stop.get()) {
                    ring[at] = new byte[32 * 1024];
                    at = (at + 1) % ring.length;
                }
            }, "allocator-" + i);
            allocator.setDaemon(true);
            allocator.start();
            allocators.add(allocator);
        }
        return allocators;
    }
}
