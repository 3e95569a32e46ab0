package dev.atfork.posix;

import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

/**
 * The JFR side of {@link ForkRecorder}, loaded only where {@code jdk.jfr} is resolvable: registers
 * {@link ForkEvent} once JFR is set up, by whoever sets it up (a recording, {@code
 * -XX:StartFlightRecording}), never itself: registering sets JFR up, which costs a JVM that never
 * records several megabytes. At each fork it asks the event's type whether a recording enables it,
 * which allocates nothing. Nothing it does throws into the fork path: should JFR fail (its
 * instrumented code cannot link from this class's loader, say), the fork goes on, and no later
 * fork records.
 */
final class JfrForkRecorder extends ForkRecorder {

    /** The event's type, once registered; null before. */
    private static volatile EventType type;
    /** Set once JFR failed here; read without ordering: a stale read costs one more attempt. */
    private static boolean failed;

    static {
        if (!FlightRecorder.isAvailable()) {
            throw new IllegalStateException("JFR is not available in this JVM");
        }
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                try {
                    FlightRecorder.register(ForkEvent.class);
                    type = EventType.getEventType(ForkEvent.class);
                } catch (Throwable failure) {
                    failed = true;
                }
            }
        });
    }

    /** Made by {@link ForkRecorder} through reflection, so that no JFR-free JVM loads this class. */
    JfrForkRecorder() {
    }

    @Override
    boolean enabled() {
        EventType registered = type;
        return registered != null && registered.isEnabled() && !failed;
    }

    @Override
    Object beginIfEnabled() {
        if (!enabled()) {
            return null;
        }
        try {
            ForkEvent event = new ForkEvent();
            event.prepareStartNanos = System.nanoTime();
            event.begin();
            return event;
        } catch (Throwable failure) {
            failed = true;
            return null;
        }
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
        try {
            fork.commit();
        } catch (Throwable failure) {
            failed = true;
        }
    }
}
