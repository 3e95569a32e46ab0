package dev.atfork.spi;

import dev.atfork.Registration;
import java.util.Arrays;
import java.util.Objects;

/**
 * The hooks of one kind, most recently added first. Adding and removing are thread-safe; reading
 * a {@link #snapshot()} takes no lock, so it is safe inside a fork handler.
 */
public final class HookList {

    private final Object writeLock = new Object();
    private volatile Entry[] entries = new Entry[0];

    /** Creates an empty list. */
    public HookList() {
    }

    /**
     * Adds a hook in front of the others.
     *
     * @param hook the code to run
     * @return the registration that removes it
     * @throws NullPointerException if {@code hook} is null
     */
    public Registration add(Runnable hook) {
        Entry entry = new Entry(Objects.requireNonNull(hook, "hook"));
        synchronized (writeLock) {
            Entry[] old = entries;
            Entry[] grown = new Entry[old.length + 1];
            grown[0] = entry;
            System.arraycopy(old, 0, grown, 1, old.length);
            entries = grown;
        }
        return entry;
    }

    /**
     * Returns the hooks in the order they run, most recently added first. The array is shared:
     * callers must not modify it.
     *
     * @return the current hooks
     */
    public Runnable[] snapshot() {
        return entries;
    }

    /**
     * Tells whether the list has no hooks.
     *
     * @return {@code true} if no hook is registered
     */
    public boolean isEmpty() {
        return entries.length == 0;
    }

    private void remove(Entry entry) {
        synchronized (writeLock) {
            Entry[] old = entries;
            int index = Arrays.asList(old).indexOf(entry);
            if (index < 0) {
                return;
            }
            Entry[] shrunk = new Entry[old.length - 1];
            System.arraycopy(old, 0, shrunk, 0, index);
            System.arraycopy(old, index + 1, shrunk, index, shrunk.length - index);
            entries = shrunk;
        }
    }

    /** One registered hook; identity, not the hook's equals, decides what close() removes. */
    private final class Entry implements Registration, Runnable {
        private final Runnable hook;

        Entry(Runnable hook) {
            this.hook = hook;
        }

        @Override
        public void run() {
            hook.run();
        }

        @Override
        public void close() {
            remove(this);
        }

        @Override
        public String toString() {
            return hook.toString();
        }
    }
}
