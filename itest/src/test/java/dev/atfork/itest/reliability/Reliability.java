package dev.atfork.itest.reliability;

import dev.atfork.testing.Forker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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

    /**
     * What a separate JVM did.
     *
     * @param exitCode its exit code, or -1 if it was killed for running too long
     * @param values its {@code key=value} lines on stdout
     * @param output all it printed
     * @param millis how long it ran
     */
    record JvmRun(int exitCode, Map<String, String> values, String output, long millis) {
        String get(String key) {
            String value = values.get(key);
            if (value == null) {
                throw new AssertionError("the JVM printed no " + key + "=...; it printed:\n" + output);
            }
            return value;
        }
    }

    /** Runs {@code mainClass} of this class path in a new JVM; kills it after {@code timeoutSeconds}. */
    static JvmRun runJvm(Class<?> mainClass, List<String> jvmOptions, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        Path output = Files.createTempFile("atfork-reliability-", ".out");
        try {
            long start = System.nanoTime();
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            process.getOutputStream().close();
            boolean ended = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            String text = Files.readString(output, StandardCharsets.UTF_8);
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                int equals = line.indexOf('=');
                if (equals > 0 && line.substring(0, equals).matches("[a-zA-Z]+")) {
                    values.put(line.substring(0, equals), line.substring(equals + 1).strip());
                }
            }
            return new JvmRun(ended ? process.exitValue() : -1, values, text, millis);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
