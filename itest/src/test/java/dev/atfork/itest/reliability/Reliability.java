package dev.atfork.itest.reliability;

import dev.atfork.itest.support.JavaLauncher;
import dev.atfork.itest.support.JvmRun;
import dev.atfork.testing.Forker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the reliability suite shares: its scale (CI or {@code -Pstress}, which sets
 * {@code -Datfork.stress=true}), the one-line figures it prints, how a child's outcome is
 * classified, and bounded launches of separate JVMs.
 */
final class Reliability {

    /** {@code -Pstress}: the long version. */
    static final boolean STRESS = Boolean.getBoolean("atfork.stress");

    /** Child markers: arrived, allocated what the stream step allocates, done with the streams. */
    static final byte[] BEFORE = {'B'};
    static final byte[] ALLOCATED = {'C'};
    static final byte[] AFTER = {'A'};

    private Reliability() {
    }

    /** Picks the CI or the stress figure. */
    static int scaled(int ci, int stress) {
        return STRESS ? stress : ci;
    }

    /** Prints one figure as one line: {@code reliability: ...}. */
    static void report(String format, Object... args) {
        System.err.printf("reliability: " + format + "%n", args);
    }

    /** Why a child ended as it did. */
    enum Outcome {
        /** Reached its last marker and exited 0. */
        OK,
        /** Hung after the allocation marker, parked on a Java-level lock: a stream lock. */
        STREAM_HANG,
        /** Hung anywhere else, or on a JVM-internal mutex: the JVM's own fork hazard. */
        JVM_HANG,
        /** Exited with a status other than 0, or died of a signal we did not send. */
        CRASH;

        static Outcome of(Forker.Result result, String allMarks) {
            if (!result.hung()) {
                return result.exitStatus() == 0 && result.reportText().equals(allMarks) ? OK : CRASH;
            }
            return result.reportText().startsWith("BC") && result.blockedOn().equals("lock") ? STREAM_HANG : JVM_HANG;
        }
    }

    /** Counts of outcomes over a run of forks. */
    static final class Tally {
        final int[] counts = new int[Outcome.values().length];
        final List<String> notes = new ArrayList<>();

        Outcome add(int fork, Forker.Result result, String allMarks) {
            Outcome outcome = Outcome.of(result, allMarks);
            counts[outcome.ordinal()]++;
            if (outcome != Outcome.OK && notes.size() < 5) {
                notes.add("fork " + fork + " " + outcome + ": marks=" + result.reportText() + " exit=" + result.exitStatus()
                        + " blockedOn=" + result.blockedOn());
            }
            return outcome;
        }

        int get(Outcome outcome) {
            return counts[outcome.ordinal()];
        }

        int total() {
            int n = 0;
            for (int count : counts) {
                n += count;
            }
            return n;
        }

        @Override
        public String toString() {
            int total = total();
            return String.format("%d forks: %d ok, %d stream hangs (%.2f%%), %d JVM hangs (%.2f%%), %d crashes", total,
                    get(Outcome.OK), get(Outcome.STREAM_HANG), percent(get(Outcome.STREAM_HANG), total),
                    get(Outcome.JVM_HANG), percent(get(Outcome.JVM_HANG), total), get(Outcome.CRASH));
        }
    }

    static double percent(int part, int whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    /** Runs {@code mainClass} of this class path in a new JVM; kills it after {@code timeoutSeconds}. */
    static JvmRun runJvm(Class<?> mainClass, List<String> jvmOptions, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        return JvmRun.of(JavaLauncher.run(JavaLauncher.classPathMain(mainClass, jvmOptions, List.of(args)),
                JavaLauncher.Stderr.MERGED, Duration.ofSeconds(timeoutSeconds)));
    }
}
