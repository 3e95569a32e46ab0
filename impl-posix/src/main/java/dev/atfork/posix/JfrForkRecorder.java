package dev.atfork.posix;

import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

/**
 * The JFR side of {@link ForkRecorder}, loaded only where {@code jdk.jfr} is resolvable: registers
 * {@link ForkEvent} once, and asks its type whether a recording enables it at each fork, which
 * allocates nothing.
 */
final class JfrForkRecorder extends ForkRecorder {

    private static final EventType TYPE;

    static {
        if (!FlightRecorder.isAvailable()) {
            throw new IllegalStateException("JFR is not available in this JVM");
        }
        FlightRecorder.register(ForkEvent.class);
        TYPE = EventType.getEventType(ForkEvent.class);
    }

    /** Made by {@link ForkRecorder} through reflection, so that no JFR-free JVM loads this class. */
    JfrForkRecorder() {
    }

    @Override
    Object beginIfEnabled() {
        if (!TYPE.isEnabled()) {
            return null;
        }
        ForkEvent event = new ForkEvent();
        event.prepareStartNanos = System.nanoTime();
        event.begin();
        return event;
    }

    @Override
    void notePrepared(Object event, ForkFrame frame) {
        ForkEvent fork = (ForkEvent) event;
        fork.prepareDuration = System.nanoTime() - fork.prepareStartNanos;
        Settler.Job streams = frame.streams;
        if (streams != null) {
            int count = streams.count();
            int forced = 0;
            for (int i = 0; i < count; i++) {
                if (streams.locks[i] == null || !streams.guards[i].settled) {
                    forced++; // the child replaces this stream: see StreamGuard.recoverInChild
                }
            }
            fork.streamsHandedOver = count;
            fork.forcedReleases = forced;
        }
    }

    @Override
    void end(Object event, ForkFrame frame, boolean childHandlerInstalled) {
        ForkEvent fork = (ForkEvent) event;
        fork.hooksRun = frame.hooksRun;
        fork.hookFailures = frame.hookFailures;
        fork.childHandlerInstalled = childHandlerInstalled;
        fork.commit();
    }
}
