package dev.atfork.posix;

import dev.atfork.posix.libc.Bindings;

/**
 * Records each fork as a JFR event {@code dev.atfork.Fork}, in the process that chose the
 * recorder, while a recording has the event enabled. The JFR side, {@code JfrForkRecorder}, is
 * loaded only where {@code jdk.jfr} is resolvable from this class's loader and JFR is available;
 * elsewhere (a jlink image without {@code jdk.jfr}, an OSGi framework that does not export it) the
 * recorder is a no-op, and no class that names a JFR type is ever loaded.
 *
 * <p>A forked child never runs JFR code: its JFR threads are gone. A child that forks again runs
 * the prepare and parent phases in the child, so {@link #begin} records only in the process whose
 * id it saw when the recorder was chosen, which a child never has. With JFR off, a fork costs one
 * {@code isEnabled()} check. {@link #profile} runs each branch a child's fork takes, in the parent.
 */
abstract class ForkRecorder {

    /** The JFR event's name. */
    static final String EVENT_NAME = "dev.atfork.Fork";
    private static final String JFR_RECORDER = "dev.atfork.posix.JfrForkRecorder";
    private static final ForkRecorder RECORDER = choose();
    /** The process the recorder was chosen in: the only one whose JFR is alive. */
    private static final int HOME_PID = Bindings.LIBC.getpid();

    /**
     * Prepare phase, first: begins this fork's event if it is to be recorded.
     *
     * @param pid this process's id, as the prepare phase read it
     * @return the event begun, or null: in a child, or while no recording has the event enabled
     */
    static Object begin(int pid) {
        if (pid != HOME_PID) {
            return null; // a fork child that forks again: JFR is dead here
        }
        return RECORDER.beginIfEnabled();
    }

    /** Prepare phase, last: notes what it did with the streams, when {@code event} was begun. */
    static void prepared(Object event, ForkFrame frame) {
        if (event != null) {
            RECORDER.notePrepared(event, frame);
        }
    }

    /** Parent phase, last: commits {@code event}, if begun, with the fork's counts. */
    static void commit(Object event, ForkFrame frame, boolean childHandlerInstalled) {
        if (event != null) {
            RECORDER.end(event, frame, childHandlerInstalled);
        }
    }

    /** In a prepare phase in the parent ({@link ChildPaths#profile}): the branches of a fork in a child, which records nothing. */
    static void profile() {
        prepared(begin(-1), null); // no process is -1
        commit(null, null, false);
    }

    /** Tells whether the JFR side was chosen; for tests. */
    static boolean usesJfr() {
        return !(RECORDER instanceof Off);
    }

    /** Tells whether a recording has the fork event enabled now: a fork would be recorded. */
    static boolean isRecording() {
        return RECORDER.enabled();
    }

    /** Tells whether a recording has the event enabled. */
    abstract boolean enabled();

    /** Returns an event begun if a recording has it enabled, else null. */
    abstract Object beginIfEnabled();

    /** Notes the end of the prepare phase in {@code event}. */
    abstract void notePrepared(Object event, ForkFrame frame);

    /** Ends and commits {@code event}. */
    abstract void end(Object event, ForkFrame frame, boolean childHandlerInstalled);

    private static ForkRecorder choose() {
        ClassLoader loader = ForkRecorder.class.getClassLoader();
        try {
            Class.forName("jdk.jfr.FlightRecorder", false, loader); // jdk.jfr resolvable from here?
        } catch (ClassNotFoundException | LinkageError absent) {
            return new Off();
        }
        try {
            return (ForkRecorder) Class.forName(JFR_RECORDER, true, loader).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException unavailable) {
            return new Off(); // JFR not available in this JVM, or not usable from this loader
        }
    }

    /** Records nothing. */
    private static final class Off extends ForkRecorder {
        @Override
        boolean enabled() {
            return false;
        }

        @Override
        Object beginIfEnabled() {
            return null;
        }

        @Override
        void notePrepared(Object event, ForkFrame frame) {
        }

        @Override
        void end(Object event, ForkFrame frame, boolean childHandlerInstalled) {
        }
    }
}
