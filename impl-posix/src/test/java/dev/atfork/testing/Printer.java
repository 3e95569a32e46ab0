package dev.atfork.testing;

import java.util.concurrent.atomic.AtomicBoolean;

/** Threads that keep the standard output busy. */
public final class Printer {

    private Printer() {
    }

    /**
     * A daemon thread, not started, that prints numbered lines through the current
     * {@code System.out} without pause until {@code stop} is set.
     */
    public static Thread printer(String name, int id, AtomicBoolean stop) {
        Thread printer = new Thread(() -> {
            long n = 0;
            while (!stop.get()) {
                System.out.println("printer " + id + " line " + n++);
            }
        }, name);
        printer.setDaemon(true);
        return printer;
    }
}
